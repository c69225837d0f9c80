// `restart [-d]`: stop (if running), then start.
import { EXIT, flag, servicesOf, type CommandContext } from './context.js';
import { start } from './start.js';
import { stopService } from './stop.js';

export async function restart(ctx: CommandContext): Promise<number> {
  for (const service of servicesOf(ctx)) {
    const pid = await stopService(ctx.root, service, flag(ctx, 'force') ? 'force' : 'graceful');
    process.stdout.write(pid === null ? `${service} was not running.\n` : `${service} stopped (master pid ${pid}).\n`);
  }
  const code = await start(ctx);
  return code === EXIT.ok ? EXIT.ok : code;
}
