// The full parser (yargs), loaded only when the fast path in cli.ts does not apply: importing
// yargs alone costs about 60 ms, as long as a whole `node -e 0`.
import yargs from 'yargs';
import { UsageError } from '../errors.js';

export const COMMANDS = {
  start: 'start the service: in the foreground (debug, hot reload) or with -d as a daemon',
  stop: 'stop gracefully (drain, then SIGKILL after stopTimeout); -g waits without a deadline; --force kills now',
  restart: 'stop, then start (-d for a daemon)',
  reload: 'rolling, zero-downtime reload; waits and prints old → new pids (systemd ExecReload)',
  scale: 'scale N | +N | -N (WebSocket: business=N or --role business): add or remove workers at runtime',
  status: 'the status table; --json for scripts; -d/--watch to refresh live; exit 3 when not running',
  connections: 'the open connections of every worker; --json for scripts',
} as const;

export type CommandName = keyof typeof COMMANDS;

/** Which command accepts which flag; anything else is a usage error. */
const ALLOWED: Record<CommandName, string[]> = {
  start: ['daemon'],
  stop: ['graceful', 'force'],
  restart: ['daemon', 'force'],
  reload: [],
  scale: ['role'],
  status: ['json', 'daemon', 'watch'],
  connections: ['json'],
};

export interface ParsedArgs {
  service: string;
  command: CommandName;
  root: string | undefined;
  options: Record<string, unknown>;
}

export async function parseArgs(argv: string[]): Promise<ParsedArgs> {
  const parser = yargs(argv)
    .scriptName('drover')
    .usage('Usage: $0 <service> <command> [options]\n\n<service> is a config/worker_<service>.* name (http, ws, ...) or "all".')
    .command('$0 <service> <command> [target]', false, (y) =>
      y
        .positional('service', { type: 'string', describe: 'service name, or "all"' })
        .positional('command', { type: 'string', choices: Object.keys(COMMANDS) })
        .positional('target', { type: 'string', describe: 'scale: N, +N, -N or role=N' }),
    )
    .option('daemon', { alias: 'd', type: 'boolean', describe: 'start: run in the background; status: refresh live (same as --watch)' })
    .option('watch', { alias: 'w', type: 'boolean', describe: 'status: refresh every second' })
    .option('json', { type: 'boolean', describe: 'status, connections: machine-readable output' })
    .option('graceful', { alias: 'g', type: 'boolean', describe: 'stop: wait for connections to finish, with no deadline' })
    .option('force', { type: 'boolean', describe: 'stop, restart: SIGKILL the workers now' })
    .option('role', { type: 'string', describe: 'scale: which workers of a WebSocket service (business)' })
    .option('root', { type: 'string', describe: 'the project root (default: the current directory, or $DROVER_ROOT)' })
    .epilogue(`Commands:\n${Object.entries(COMMANDS).map(([c, d]) => `  ${c.padEnd(12)} ${d}`).join('\n')}\n\nExamples:\n  drover http start -d\n  drover all status --json\n  drover http scale +2\n  kill -USR2 $(cat pidfiles/http.pid)   # same as "drover http reload"`)
    .strict()
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    });
  const args = (await parser.parseAsync()) as Record<string, unknown>;
  if (args.help || args.version) return { service: '', command: 'status', root: undefined, options: { exit: true } };
  const command = args.command as CommandName;
  const options: Record<string, unknown> = {};
  for (const name of ['daemon', 'watch', 'json', 'graceful', 'force', 'role']) {
    if (args[name] === undefined) continue;
    if (!ALLOWED[command].includes(name)) throw new UsageError(`"${command}" does not take --${name}.`, `run "drover --help" for what each command takes.`);
    options[name] = args[name];
  }
  if (command === 'status' && options.daemon) options.watch = true;
  if (args.target !== undefined && command !== 'scale') throw new UsageError(`"${command}" takes no argument (received "${String(args.target)}").`, `run "drover --help" for what each command takes.`);
  if (command === 'scale') options.target = args.target;
  return { service: String(args.service), command, root: args.root as string | undefined, options };
}
