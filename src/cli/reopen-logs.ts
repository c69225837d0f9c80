// `reopen-logs`: the master closes its log file and opens the path again (after logrotate
// moved it; the same as SIGUSR1, but this says whether it worked).
import { EXIT, forEachService, type CommandContext } from './context.js';
import { askMaster } from './master-client.js';

export async function reopenLogs(ctx: CommandContext): Promise<number> {
  return forEachService(ctx, async (service) => {
    const { destination } = await askMaster<{ destination: string }>(ctx.root, service, { type: 'reopen-logs' }, 10_000);
    process.stdout.write(`${service}: log reopened (${destination})\n`);
    return EXIT.ok;
  });
}
