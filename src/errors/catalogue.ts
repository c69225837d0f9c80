// Every code drover raises, declared once: what happened (a template over typed parameters)
// and what to do (the hint). Throw sites pass parameters, never text, so one code has one
// wording; docs/errors.md explains each code, and test/unit/errors/index.test.ts fails when a code
// here is raised nowhere in src/, is missing from the docs, or the docs list one not declared.
//
// A parameter named `problem`, `rule` or `failure` is the one part that is not ours to word:
// the config rule broken, the command-line mistake, or an error received from another
// process (a worker's boot failure, a master's answer), passed through as it was said.
import { nearest } from '../core/words.js';

interface Entry<P> {
  message: (p: P) => string;
  hint?: (p: P) => string | undefined;
}

/** Ties a message and a hint to one parameter type (inferred from the message). */
function entry<P>(message: (p: P) => string, hint?: (p: P) => string | undefined): Entry<P> {
  return hint ? { message, hint } : { message };
}

const FIX_CONFIG = 'fix the file and run the command again; nothing was started or changed.';
const SCALE_USAGE = 'run "drover <service> scale 4", "scale +1", "scale -1", or for WebSocket "scale business=3", "scale gateway=+1" (or --role gateway|business).';
const WHAT_EACH_TAKES = 'run "drover --help" for what each command takes.';

/** The command-line mistakes: [message, hint (the general one when absent)]. */
const USAGE = {
  // yargs words its own parse errors (unknown option, missing value): passed through.
  parser: (p: { said: string }) => [p.said],
  'unknown-command': (p: { command: string; near: string | null | undefined; commands: string }) => [
    `unknown command "${p.command}".`,
    `${p.near ? `did you mean "${p.near}"? ` : ''}commands: ${p.commands}; "drover --help" says what each does.`,
  ],
  'option-not-taken': (p: { command: string; option: string }) => [`"${p.command}" does not take --${p.option}.`, WHAT_EACH_TAKES],
  'argument-not-taken': (p: { command: string; received: string }) => [`"${p.command}" takes no argument (received "${p.received}").`, WHAT_EACH_TAKES],
  'init-argument': (p: { received: string }) => [`"init" does not take ${JSON.stringify(p.received)}.`, 'run "drover init" in the project root, or "drover init --root DIR".'],
  'scale-count-missing': (_p: object) => ['"scale" needs a count: N, +N or -N.', SCALE_USAGE],
  'scale-count-bad': (p: { text: string }) => [`"${p.text}" is not a count for "scale" (expected N, +N, -N or role=N).`, SCALE_USAGE],
  'scale-roles-differ': (p: { text: string; role: string }) => [`"${p.text}" and --role ${p.role} name different roles.`, SCALE_USAGE],
  'logs-one-service': (p: { services: string[] }) => ['"logs" reads one service\'s log.', `name the service: ${p.services.map((s) => `"drover ${s} logs"`).join(', ')}.`],
  'logs-lines': (p: { received: string }) => [`-n takes a whole number of lines (received ${p.received}).`],
  'logs-worker': (p: { received: string }) => [`--worker takes a worker id (as in "status") or "master" (received ${p.received}).`],
  'production-one-service': (p: { services: string[] }) => [
    '--production runs one service per process.',
    `run one process (or systemd unit, or container) per service: ${p.services.map((s) => `"drover ${s} start --production"`).join(', ')}.`,
  ],
  'systemd-one-service': (_p: object) => ['"systemd" prints the unit of one service.', 'run it once per service, e.g. "drover http systemd > /etc/systemd/system/app-http.service".'],
} satisfies Record<string, (p: never) => [string, string?]>;

export type UsageProblem = { [K in keyof typeof USAGE]: { kind: K } & Parameters<(typeof USAGE)[K]>[0] }[keyof typeof USAGE];

export const CATALOGUE = {
  DROVER_ERR_USAGE: entry((p: UsageProblem) => USAGE[p.kind](p as never)[0], (p) => USAGE[p.kind](p as never)[1] ?? 'run "drover --help" for the commands and options.'),
  DROVER_ERR_CONFIG: entry(
    (p: { file: string; rule: string } | { file: string; esmInCommonJs: string }) =>
      'rule' in p ? `${p.file}: ${p.rule}` : `${p.file} uses ES module syntax (export/import), but this project is CommonJS (its package.json has no "type": "module").`,
    (p) => ('rule' in p ? FIX_CONFIG : `rename it to ${p.esmInCommonJs}, or write it as module.exports = { … }.`),
  ),
  DROVER_ERR_CONFIG_NOT_FOUND: entry(
    (p: { service: string; configDir: string; known: string[] } | { root: string }) =>
      'service' in p ? `no config for service "${p.service}" in ${p.configDir}.` : `no services are configured in ${p.root}/config.`,
    (p) => {
      if (!('service' in p)) return 'add config/worker_<name>.js files, or run drover from the project root (or pass --root).';
      const near = nearest(p.service, p.known);
      const listed = p.known.length > 0 ? `configured here: ${p.known.join(', ')}` : 'no service is configured here';
      return near ? `did you mean "${near}"? (${listed})` : `${listed}; create ${p.configDir}/worker_${p.service}.js (or .mjs, .cjs, .json), or run "drover init".`;
    },
  ),
  DROVER_ERR_UNKNOWN_SERVICE: entry(
    (p: { service: string; known: string[] }) => `"${p.service}" is not a valid service name.`,
    (p) => `a service name is letters, digits, "_" or "-"; configured here: ${p.known.join(', ') || 'none'}.`,
  ),
  DROVER_ERR_ALREADY_RUNNING: entry(
    (p: { service: string; pid: number }) => `${p.service} is already running (master pid ${p.pid}).`,
    (p) => `stop it first with "drover ${p.service} stop", or use "drover ${p.service} restart".`,
  ),
  DROVER_ERR_NOT_RUNNING: entry(
    (p: { service: string; socket: string }) => `${p.service} is not running (no master answers on ${p.socket}).`,
    (p) => `start it with "drover ${p.service} start -d".`,
  ),
  DROVER_ERR_LOCK: entry(
    (p: { pidfile: string; failure: string } | { pidfile: string; lock: string }) =>
      'failure' in p ? `cannot lock ${p.pidfile}: ${p.failure}` : `${p.lock} is held, and kept fresh, by a process that wrote no pid to ${p.pidfile}.`,
    (p) => ('failure' in p ? 'check that the pidfiles/ folder is writable by this user.' : 'another drover master may be starting here; if none is, remove the lock folder and start again.'),
  ),
  DROVER_ERR_SOCKET_PATH: entry(
    (p: { what: string; path: string; bytes: number; max: number }) => `the ${p.what} path is too long: ${p.path} (${p.bytes} bytes; a Unix socket allows ${p.max}).`,
    () => 'move the project to a shorter path, or give the service a shorter name.',
  ),
  DROVER_ERR_START_FAILED: entry(
    // `failure`: what stopped start-up (a worker's failure, or the master's own error);
    // `masterExitCode`: the daemon's master exited before it said anything.
    (p: { service: string; failure: string; log?: string; stackBelow?: boolean } | { service: string; masterExitCode: number | null; log: string }) =>
      `${p.service} could not start: ${'failure' in p ? p.failure : `its master exited with code ${p.masterExitCode} before it was ready.`}`,
    (p) =>
      'failure' in p && p.stackBelow ? 'the error and its stack are below: fix it and start again.' : p.log ? `see the log: ${p.log}` : 'fix the cause and start again.',
  ),
  DROVER_ERR_BOOT_FAILED: entry(
    (p: { workerId: number; pid: number | undefined; failure: string } | { workerId: number; pid: number | undefined; exit: string } | { workerId: number; pid: number | undefined; readyTimeout: number }) =>
      `worker ${p.workerId} (pid ${p.pid}) ${'failure' in p ? `failed to boot: ${p.failure}` : 'exit' in p ? p.exit : `was not ready within readyTimeout (${p.readyTimeout} ms)`}`,
  ),
  DROVER_ERR_PORT_IN_USE: entry(
    (p: { address: string }) => `cannot listen on ${p.address}: the address is already in use.`,
    () => 'stop what holds the port (see "ss -ltnp"), or change "listen" in the service config.',
  ),
  DROVER_ERR_APP_LOAD: entry(
    (p: { file: string; failure: string } | { what: string; specifier: string; looked: string; root: string }) =>
      'file' in p ? `cannot load ${p.file}: ${p.failure}` : `${p.what} "${p.specifier}" was not found (looked for ${p.looked} under ${p.root}).`,
    (p) => ('file' in p ? undefined : 'check the path in the service config; it is relative to the project root.'),
  ),
  DROVER_ERR_APP_EXPORT: entry(
    (p: { specifier: string; exported: string; accepted: string }) => `the "app" module ${p.specifier} exports ${p.exported}, which drover cannot serve.`,
    (p) => `export default ${p.accepted}.`,
  ),
  DROVER_ERR_RELOAD_FAILED: entry(
    // `cause`: the code of what made it fail, when that has its own (APP_LOAD, CONFIG, ...).
    // In the master a failed step keeps its cause's code and is worded here (configRefused,
    // rolloutStopped); the CLI then reports it as RELOAD_FAILED with the cause in brackets.
    (
      p:
        | { service: string; cause?: string; failure: string; causeHint?: string }
        | { cancelled: string }
        | { stopDuringReload: true }
        | { configRefused: string }
        | { rolloutStopped: string },
    ) => {
      if ('service' in p) return `${p.service} reload failed${p.cause ? ` [${p.cause}]` : ''}: ${p.failure}`;
      if ('cancelled' in p) return `reload cancelled: ${p.cancelled}.`;
      if ('configRefused' in p) return `the new config was refused, nothing was changed: ${p.configRefused}`;
      if ('rolloutStopped' in p) return `${p.rolloutStopped}; the rollout stopped and the old workers keep serving`;
      return 'a stop was requested during the reload';
    },
    (p) => ('service' in p ? `${p.causeHint ? `${p.causeHint} ` : ''}The workers that were serving before the reload are still serving; fix the cause and reload again.` : undefined),
  ),
  DROVER_ERR_SCALE_REFUSED: entry(
    (
      p:
        | { service: string; state: string }
        | { service: string; roles: string[] }
        | { service: string; role: string; roles: string[] }
        | { service: string; role: string; count: number; current: number; max: number }
        | { cancelledByStop: true },
    ) => {
      if ('cancelledByStop' in p) return 'scale cancelled: a stop was requested.';
      if ('state' in p) return `${p.service} is ${p.state}: it scales once it is running.`;
      if ('count' in p) return `${p.service}: ${p.role} would have ${p.count} workers; the count must be from 1 to ${p.max}.`;
      if ('role' in p) return `${p.service} has no "${p.role}" workers (its roles: ${p.roles.join(', ')}).`;
      return `${p.service} has ${p.roles.join(' and ')} workers: say which to scale.`;
    },
    (p) => {
      if ('cancelledByStop' in p) return 'start the service again; it starts with the count in its config.';
      if ('state' in p) return p.state === 'reloading' ? `wait for the reload to finish ("drover ${p.service} status" shows the counts it left), then scale again.` : 'wait for it and run the command again.';
      if ('count' in p) return `there are ${p.current} now; "stop" the service to have none.`;
      if ('role' in p) return `run "drover ${p.service} scale <N>"${p.roles.length > 1 ? ' with --role ' + p.roles.join('|') : ''}.`;
      return `run "drover ${p.service} scale business=3" or "scale gateway=3" (or --role business|gateway).`;
    },
  ),
  DROVER_ERR_SCALE_FAILED: entry(
    (p: { failure: string; failureHint?: string }) => `${p.failure}; the new workers were stopped, the others kept serving`,
    (p) => p.failureHint ?? "read the worker's error in the log, fix it and scale again.",
  ),
  DROVER_ERR_STOP_TIMEOUT: entry(
    (p: { service: string; pid: number; afterSeconds: number } | { service: string; alive: number[]; afterSeconds: number; sigkilled: true }) =>
      'sigkilled' in p
        ? `${p.service}: pids ${p.alive.join(', ')} are still alive ${p.afterSeconds}s after SIGKILL.`
        : `${p.service} master (pid ${p.pid}) is still alive ${p.afterSeconds}s after it stopped its workers.`,
    (p) =>
      'sigkilled' in p
        ? 'they may be in uninterruptible sleep (D state, a hung disk or NFS mount); look at "ps -o pid,stat,wchan -p <pid>".'
        : `look at its log; "drover ${p.service} stop --force" ends it and its workers.`,
  ),
  DROVER_ERR_CONTROL: entry(
    (p: { code: string; failure: string }) => `the master answered with an error this drover does not know (${p.code}): ${p.failure}`,
    () => 'run the same drover version as the running master, or restart the service with this one.',
  ),
  // An error with no code of ours: in the master while it answered a request, or in the CLI.
  DROVER_ERR_INTERNAL: entry(
    (p: { request: string; failure: string } | { failure: string }) => ('request' in p ? `the master failed while answering "${p.request}": ${p.failure}` : p.failure),
    (p) => ('request' in p ? 'this is a bug in drover: the master keeps running; please report it with the stack below.' : 'this is a bug in drover; please report it with the output above.'),
  ),
  DROVER_ERR_CONTROL_TIMEOUT: entry(
    (p: { service: string; pid: number | null; socket: string; what: string }) =>
      `${p.service}: the master (pid ${p.pid ?? 'unknown'}) accepted the connection on ${p.socket} but ${p.what}.`,
    (p) =>
      `it is alive but stuck, or stopped ("kill -CONT ${p.pid ?? '<pid>'}" resumes it). "drover ${p.service} stop --force" ends it and its workers. A request it had not read in time is dropped, not run later.`,
  ),
  DROVER_ERR_CONTROL_UNREACHABLE: entry(
    (p: { service: string; pid: number; pidfile: string; socket: string } | { service: string; pid: number; pidfile: string; notAMaster: true }) =>
      'notAMaster' in p
        ? `${p.service}: pid ${p.pid} in ${p.pidfile} is alive but is not a drover master of ${p.service}; it was left alone.`
        : `${p.service}: pid ${p.pid} in ${p.pidfile} is alive but no master answers on ${p.socket}.`,
    (p) =>
      'notAMaster' in p
        ? `the pidfile is stale (its pid was reused); remove ${p.pidfile} and its .lock folder.`
        : `if that is a drover master, it is stuck: "drover ${p.service} stop --force" ends it and its workers; otherwise the pidfile is stale and the next start removes it.`,
  ),
  DROVER_ERR_CONTROL_CLOSED: entry((_p: Record<string, never>) => 'the master closed the control connection before answering.'),
  DROVER_ERR_REQUEST_EXPIRED: entry((p: { request: string; lateMs: number }) => `"${p.request}" arrived ${p.lateMs} ms after its deadline and was not acted on.`),
  DROVER_ERR_WS_UNAVAILABLE: entry(
    (p: { looked: string }) => `no gateway of the WebSocket service answers (${p.looked}).`,
    () => 'start the service ("drover ws start -d"), or pass the right root and service to createGateway().',
  ),
  DROVER_ERR_LOG: entry(
    (p: { file: string; reason: string }) => `cannot open the log file ${p.file} (${p.reason}).`,
    () => 'make its folder writable by the user that runs drover, or set "logFile" in the service config to a path that is.',
  ),
  DROVER_ERR_LOG_NOT_FOUND: entry(
    (p: { service: string; file: string }) => `${p.service} has no log file at ${p.file}.`,
    (p) => `a service started in the foreground logs to the terminal; "drover ${p.service} start -d" writes ${p.file} (or set "logFile").`,
  ),
  DROVER_ERR_OUTPUT: entry(
    (p: { errno: string }) => `could not write this command's output to stdout (${p.errno}): the output is lost; what the command did is done.`,
    () => 'check where stdout goes (a full disk, a device that refuses writes) and run the command again to see the result.',
  ),
  DROVER_ERR_NOT_WRITABLE: entry(
    (p: { where: string; purpose: string; errno: string; uid: number | string }) =>
      `cannot write ${p.where} (${p.purpose}): ${p.errno === 'EROFS' ? 'the file system is read-only' : 'permission denied'} (${p.errno}).`,
    (p) =>
      p.errno === 'EROFS'
        ? 'point drover at a writable place: a writable project root (--root), a "logFile" on a writable volume, or mount one on pidfiles/ and logs/.'
        : `make it writable by the user running drover (uid ${p.uid}), e.g. "chown -R $(id -u) ${p.where}", or run drover as the project's owner.`,
  ),
  DROVER_ERR_TYPESCRIPT: entry(
    (p: { file: string }) => `${p.file} is TypeScript, and the TypeScript loader "tsx" is not installed.`,
    () => 'run "npm install --save-dev tsx" to run TypeScript sources (debug mode), or build the app (tsc) so production runs the compiled JavaScript.',
  ),
} as const;

export type ErrorCode = keyof typeof CATALOGUE;
export type ErrorParams<C extends ErrorCode> = Parameters<(typeof CATALOGUE)[C]['message']>[0];
