// The full parser (yargs), loaded only when the fast path in cli.ts does not apply: importing
// yargs alone costs about 60 ms, as long as a whole `node -e 0`.
import yargs from 'yargs';
import { UsageError } from '../errors/index.js';
import { droverVersion } from '../master/version.js';
import { nearest } from '../core/words.js';

export const COMMANDS = {
  start: 'start the service: in the foreground (debug, hot reload), with --production in the foreground for containers and systemd, or with -d as a daemon',
  stop: 'stop gracefully (drain, then SIGKILL after stopTimeout); -g waits without a deadline; --force kills now',
  restart: 'stop, then start (-d for a daemon)',
  reload: 'rolling, zero-downtime reload; waits and prints old → new pids (systemd ExecReload)',
  scale: 'scale N | +N | -N (WebSocket: gateway=N, business=+1 or --role gateway|business): add or remove workers at runtime',
  status: 'the status table; --json for scripts; -d/--watch to refresh live; exit 3 when not running',
  connections: 'the open connections of every worker; --json for scripts',
  logs: 'the last lines of the log (-n 20); -f follows it across rotation; --worker ID (or master) keeps one process\'s lines',
  'reopen-logs': 'close the log file and open its path again (after logrotate moved it; same as SIGUSR1)',
  systemd: 'print a systemd unit that runs this service in the production foreground mode (Type=notify)',
} as const;

/** Commands about the project rather than one service: `drover init`. */
export const PROJECT_COMMANDS = { init: 'write a config (and an example app if there is none) into this project; never overwrites a file' } as const;

export type CommandName = keyof typeof COMMANDS;

/** Which command accepts which flag; anything else is a usage error. */
const ALLOWED: Record<CommandName, string[]> = {
  start: ['daemon', 'production'],
  stop: ['graceful', 'force'],
  restart: ['daemon', 'force', 'production'],
  reload: [],
  scale: ['role'],
  status: ['json', 'daemon', 'watch'],
  connections: ['json'],
  logs: ['lines', 'follow', 'worker'],
  'reopen-logs': [],
  systemd: ['user'],
};

export interface ParsedArgs {
  service: string;
  command: CommandName | keyof typeof PROJECT_COMMANDS;
  root: string | undefined;
  options: Record<string, unknown>;
}

export async function parseArgs(argv: string[]): Promise<ParsedArgs> {
  if (argv[0] === 'init') return parseInit(argv.slice(1));
  const parser = yargs(argv)
    .scriptName('drover')
    .usage('Usage: $0 <service> <command> [options]\n\n<service> is a config/worker_<service>.* name (http, ws, ...) or "all".')
    .command('$0 <service> <command> [target]', false, (y) =>
      y
        .positional('service', { type: 'string', describe: 'service name, or "all"' })
        .positional('command', { type: 'string', describe: 'what to do (see Commands below)' })
        .positional('target', { type: 'string', describe: 'scale: N, +N, -N or role=N' }),
    )
    .option('daemon', { alias: 'd', type: 'boolean', describe: 'start: run in the background; status: refresh live (same as --watch)' })
    .option('production', { type: 'boolean', describe: 'start: in the foreground, compiled code, no watcher, logs on stdout/stderr (also when NODE_ENV=production)' })
    .option('user', { type: 'string', describe: 'systemd: the User= of the unit (default: the owner of the project root)' })
    .option('watch', { alias: 'w', type: 'boolean', describe: 'status: refresh every second' })
    .option('json', { type: 'boolean', describe: 'status, connections: machine-readable output' })
    .option('graceful', { alias: 'g', type: 'boolean', describe: 'stop: wait for connections to finish, with no deadline' })
    .option('force', { type: 'boolean', describe: 'stop, restart: SIGKILL the workers now' })
    .option('lines', { alias: 'n', type: 'number', describe: 'logs: how many of the last lines (default 20)' })
    .option('follow', { alias: 'f', type: 'boolean', describe: 'logs: keep printing what is written, across reopen and rotation' })
    .option('worker', { type: 'string', describe: 'logs: only this worker\'s lines (its id in "status"), or "master"' })
    .option('role', { type: 'string', describe: 'scale: which workers of a WebSocket service (gateway or business)' })
    .option('root', { type: 'string', describe: 'the project root (default: the current directory, or $DROVER_ROOT)' })
    .epilogue(`Commands:\n${Object.entries({ ...COMMANDS, ...PROJECT_COMMANDS }).map(([c, d]) => `  ${c.padEnd(12)} ${d}`).join('\n')}\n\nExamples:\n  drover http start -d\n  drover all status --json\n  drover http scale +2\n  kill -USR2 $(cat pidfiles/http.pid)   # same as "drover http reload"`)
    .strict()
    .help()
    .alias('help', 'h')
    .version(droverVersion())
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message, error) => {
      throw error ?? new UsageError({ kind: 'parser', said: message });
    });
  // `drover` alone prints the usage, on stderr, and fails like any usage error (exit 2).
  if (argv.length === 0) {
    process.stderr.write(`${await parser.getHelp()}\n`);
    return { service: '', command: 'status', root: undefined, options: { exit: true, exitCode: 2 } };
  }
  const args = (await parser.parseAsync()) as Record<string, unknown>;
  if (args.help || args.version) return { service: '', command: 'status', root: undefined, options: { exit: true } };
  const command = args.command as CommandName;
  if (!Object.hasOwn(COMMANDS, command)) throw unknownCommand(String(args.command));
  const options: Record<string, unknown> = {};
  for (const name of ['daemon', 'watch', 'json', 'graceful', 'force', 'production', 'user', 'role', 'lines', 'follow', 'worker']) {
    if (args[name] === undefined) continue;
    if (!ALLOWED[command].includes(name)) throw new UsageError({ kind: 'option-not-taken', command, option: name });
    options[name] = args[name];
  }
  if (command === 'status' && options.daemon) options.watch = true;
  if (args.target !== undefined && command !== 'scale') throw new UsageError({ kind: 'argument-not-taken', command, received: String(args.target) });
  if (command === 'scale') options.target = args.target;
  return { service: String(args.service), command, root: args.root as string | undefined, options };
}

function unknownCommand(command: string): UsageError {
  const near = nearest(command, [...Object.keys(COMMANDS), ...Object.keys(PROJECT_COMMANDS)]);
  const list = Object.keys(COMMANDS).join(', ');
  return new UsageError({ kind: 'unknown-command', command, near, commands: list });
}

/** `drover init [--root DIR]`: no service, no other option. */
function parseInit(rest: string[]): ParsedArgs {
  let root: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--root' && rest[i + 1] !== undefined) root = rest[++i];
    else if (arg.startsWith('--root=')) root = arg.slice('--root='.length);
    else throw new UsageError({ kind: 'init-argument', received: arg });
  }
  return { service: '', command: 'init', root, options: {} };
}
