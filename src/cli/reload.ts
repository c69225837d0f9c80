// `reload`: a rolling reload, synchronous (usable as systemd's ExecReload): returns when the
// rollout has finished, non-zero when it was refused or rolled back.
import { DroverError } from '../errors.js';
import type { ReloadResult } from '../protocol/status.js';
import { EXIT, forEachService, type CommandContext } from './context.js';
import { askMasterAndWatch } from './master-client.js';
import { describeBuild } from '../master/build-check.js';

export async function reload(ctx: CommandContext): Promise<number> {
  return forEachService(ctx, async (service) => {
    const result = await askMasterAndWatch<ReloadResult>(ctx.root, service, { type: 'reload' });
    if (!result.ok) {
      // The cause keeps its own code and hint (DROVER_ERR_APP_LOAD, _CONFIG, ...) in the message.
      const cause = result.error?.code && result.error.code !== 'DROVER_ERR_RELOAD_FAILED' ? ` [${result.error.code}]` : '';
      throw new DroverError('DROVER_ERR_RELOAD_FAILED', `${service} reload failed${cause}: ${result.error?.message ?? 'unknown reason'}`, {
        hint: `${result.error?.hint ? `${result.error.hint} ` : ''}The workers that were serving before the reload are still serving; fix the cause and reload again.`,
        details: result.error?.details,
      });
    }
    const added = new Set((result.added ?? []).map((a) => a.id));
    const pairs = result.replaced.map((r) => (added.has(r.id) ? `  worker ${r.id}: added, pid ${r.newPid ?? '-'}` : `  worker ${r.id}: ${r.oldPid ?? '-'} → ${r.newPid ?? '-'}`));
    for (const r of result.removed ?? []) pairs.push(`  worker ${r.id}: removed, pid ${r.pid ?? '-'} drained`);
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
