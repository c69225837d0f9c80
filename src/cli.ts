#!/usr/bin/env node
// argv → command. The only place that prints an error and sets the exit code.
//
// `status` is what scripts and monitors call in a loop, so it must stay close to `node -e 0`:
// `<service> status|connections` with the options users pass skips yargs (60 ms to import) and
// loads only its own command (cli/fast-path.ts). Everything else, --help included, goes
// through the full parser.
import type { CommandContext } from './cli/context.js';
import { parseFastPath } from './cli/fast-path.js';

type Command = (ctx: CommandContext) => Promise<number>;

const COMMAND_MODULES: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./cli/start.js')).start,
  stop: async () => (await import('./cli/stop.js')).stop,
  restart: async () => (await import('./cli/restart.js')).restart,
  reload: async () => (await import('./cli/reload.js')).reload,
  scale: async () => (await import('./cli/scale.js')).scale,
  status: async () => (await import('./cli/status.js')).status,
  connections: async () => (await import('./cli/connections.js')).connections,
  logs: async () => (await import('./cli/logs.js')).logs,
  'reopen-logs': async () => (await import('./cli/reopen-logs.js')).reopenLogs,
  systemd: async () => (await import('./cli/systemd.js')).systemd,
  init: async () => (await import('./cli/init.js')).init,
};

async function main(argv: string[]): Promise<number> {
  const fast = parseFastPath(argv);
  const parsed = fast ?? (await (await import('./cli/parse.js')).parseArgs(argv));
  if (parsed.options.exit) return (parsed.options.exitCode as number | undefined) ?? 0; // --help / --version / usage were printed
  const { projectRoot } = await import('./paths.js');
  const run = await COMMAND_MODULES[parsed.command]!();
  return run({ root: projectRoot(parsed.root), service: parsed.service, options: parsed.options });
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const { printError } = await import('./cli/print-error.js');
  printError(error);
  process.exitCode = (error as { code?: string }).code === 'DROVER_ERR_USAGE' ? 2 : 1;
}
