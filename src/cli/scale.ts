// `scale N | +N | -N` (and `gateway=N`, `business=+1` or `--role gateway|business` for WebSocket): asks the master
// to add or remove workers of one role and waits until the new ones answer or the removed
// ones have drained. The master decides; this only parses and prints.
import { droverError, reviveError, UsageError } from '../errors/index.js';
import type { ScaleResult } from '../protocol/status.js';
import { EXIT, forEachService, type CommandContext } from './context.js';
import { askMasterAndWatch } from './master-client.js';

export interface ScaleRequest {
  role: string | null;
  target: { set: number } | { delta: number };
}

/** "3", "+2", "-1", "business=3"; `--role` names the role when the target does not. */
export function parseScaleTarget(text: unknown, role: unknown): ScaleRequest {
  if (typeof text !== 'string' || text === '') throw new UsageError({ kind: 'scale-count-missing' });
  const match = /^(?:([A-Za-z][A-Za-z0-9_-]*)=)?([+-]?)(\d{1,6})$/.exec(text);
  if (!match) throw new UsageError({ kind: 'scale-count-bad', text });
  const [, namedRole, sign, digits] = match;
  if (namedRole && typeof role === 'string' && role !== namedRole) throw new UsageError({ kind: 'scale-roles-differ', text, role });
  const n = Number(digits);
  return {
    role: namedRole ?? (typeof role === 'string' ? role : null),
    target: sign === '' ? { set: n } : { delta: sign === '+' ? n : -n },
  };
}

export async function scale(ctx: CommandContext): Promise<number> {
  const request = parseScaleTarget(ctx.options.target, ctx.options.role);
  return forEachService(ctx, async (service) => {
    // As long as its work takes (new workers boot within readyTimeout, removed ones drain within
    // stopTimeout), like reload: a fixed 5 s deadline failed scale +2 on a loaded host.
    const result = await askMasterAndWatch<ScaleResult>(ctx.root, service, { type: 'scale', role: request.role, target: request.target });
    if (!result.ok) {
      // The master's error keeps its code (SCALE_REFUSED, SCALE_FAILED, ...) and its words.
      throw result.error ? reviveError(result.error) : droverError('DROVER_ERR_INTERNAL', { request: 'scale', failure: 'a failed scale came back without its error' });
    }
    const lines = [`${service}: ${result.role} workers ${result.from} → ${result.to}${result.from === result.to ? ' (unchanged)' : ` in ${result.durationMs} ms`}`];
    for (const a of result.added) lines.push(`  added worker ${a.id}: pid ${a.pid ?? '-'}`);
    for (const r of result.removed) lines.push(`  removed worker ${r.id}: pid ${r.pid ?? '-'} (drained)`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.ok;
  });
}
