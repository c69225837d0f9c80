// `reload`: a rolling reload, synchronous (usable as systemd's ExecReload): returns when the
// rollout has finished, non-zero when it was refused or rolled back.
import { droverError } from '../errors/index.js';
import type { ReloadResult } from '../protocol/status.js';
import { EXIT, forEachService, type CommandContext } from './context.js';
import { askMasterAndWatch } from './master-client.js';
import { describeBuild } from '../master/build-check.js';

export async function reload(ctx: CommandContext): Promise<number> {
  return forEachService(ctx, async (service) => {
    const result = await askMasterAndWatch<ReloadResult>(ctx.root, service, { type: 'reload' });
    if (!result.ok) {
      // The cause keeps its own code and hint (DROVER_ERR_APP_LOAD, _CONFIG, ...) in the message.
      const cause = result.error?.code && result.error.code !== 'DROVER_ERR_RELOAD_FAILED' ? result.error.code : undefined;
      throw droverError(
        'DROVER_ERR_RELOAD_FAILED',
        { service, failure: result.error?.message ?? 'unknown reason', ...(cause ? { cause } : {}), ...(result.error?.hint ? { causeHint: result.error.hint } : {}) },
        { details: result.error?.details },
      );
    }
    const added = new Set((result.added ?? []).map((a) => a.id));
    const pairs = result.replaced.filter((r) => !added.has(r.id)).map((r) => `  worker ${r.id}: ${r.oldPid ?? '-'} → ${r.newPid ?? '-'}`);
    const named = (w: { id: number; role?: string }) => `worker ${w.id}${w.role ? ` (${w.role})` : ''}`;
    for (const a of result.added ?? []) pairs.push(`  ${named(a)}: added, pid ${a.pid ?? '-'}`);
    for (const r of result.removed ?? []) pairs.push(`  ${named(r)}: removed, pid ${r.pid ?? '-'} drained`);
    for (const note of result.notes ?? []) pairs.push(`  ${note}`);
    const drained = result.drainedMs === undefined ? '' : `; old workers drained in ${result.drainedMs} ms`;
    process.stdout.write(`${service} reloaded in ${result.durationMs} ms${drained} (generation ${result.generation})\n${pairs.join('\n')}\n`);
    if (result.build) process.stderr.write(`WARNING: ${describeBuild(result.build)}\n`);
    for (const i of result.interrupted ?? []) {
      process.stderr.write(`warning: old worker ${i.id} (pid ${i.pid}) was killed at stopTimeout with ${i.inflight} requests in flight and ${i.connections} connections open.\n`);
    }
    return EXIT.ok;
  });
}
