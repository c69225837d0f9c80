// Every command line the fast path (cli/fast-path.ts) does not take: the full parser (yargs),
// then the command's own module, loaded lazily so each command pays only for what it uses.
//
// cli.ts hands argv over and gets an exit code back, nothing else: in the published build
// cli.js is one bundled file for the fast path (scripts/bundle.mjs) and this module and what it
// imports are loaded file by file, so an error object must never cross between the two.
import { surviveClosedStdout } from './closed-stdout.js';
import type { CommandContext } from './context.js';
import { reportError } from './print-error.js';

type Command = (ctx: CommandContext) => Promise<number>;

const COMMAND_MODULES: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./start.js')).start,
  stop: async () => (await import('./stop.js')).stop,
  restart: async () => (await import('./restart.js')).restart,
  reload: async () => (await import('./reload.js')).reload,
  scale: async () => (await import('./scale.js')).scale,
  status: async () => (await import('./status.js')).status,
  connections: async () => (await import('./connections.js')).connections,
  logs: async () => (await import('./logs.js')).logs,
  'reopen-logs': async () => (await import('./reopen-logs.js')).reopenLogs,
  systemd: async () => (await import('./systemd.js')).systemd,
  init: async () => (await import('./init.js')).init,
};

export async function runCommandLine(argv: string[]): Promise<number> {
  try {
    const parsed = await (await import('./parse.js')).parseArgs(argv);
    if (parsed.options.exit) return (parsed.options.exitCode as number | undefined) ?? 0; // --help / --version / usage were printed
    const { projectRoot } = await import('../core/paths.js');
    // start and restart can run the master in this process (see closed-stdout.ts).
    if (parsed.command !== 'start' && parsed.command !== 'restart') {
      surviveClosedStdout({ endless: parsed.options.watch === true || parsed.options.follow === true });
    }
    const run = await COMMAND_MODULES[parsed.command]!();
    return await run({ root: projectRoot(parsed.root), service: parsed.service, options: parsed.options });
  } catch (error) {
    return reportError(error);
  }
}
