// Every error a user can cause carries a stable code. docs/errors.md lists them with what
// to do; test/unit/errors.test.ts fails when this list and that table drift apart.
import { nearest } from './words.js';

export const ERROR_CODES = [
  'DROVER_ERR_USAGE',
  'DROVER_ERR_CONFIG',
  'DROVER_ERR_CONFIG_NOT_FOUND',
  'DROVER_ERR_UNKNOWN_SERVICE',
  'DROVER_ERR_ALREADY_RUNNING',
  'DROVER_ERR_NOT_RUNNING',
  'DROVER_ERR_LOCK',
  'DROVER_ERR_SOCKET_PATH',
  'DROVER_ERR_START_FAILED',
  'DROVER_ERR_BOOT_FAILED',
  'DROVER_ERR_PORT_IN_USE',
  'DROVER_ERR_APP_LOAD',
  'DROVER_ERR_APP_EXPORT',
  'DROVER_ERR_RELOAD_FAILED',
  'DROVER_ERR_SCALE_REFUSED',
  'DROVER_ERR_SCALE_FAILED',
  'DROVER_ERR_STOP_TIMEOUT',
  'DROVER_ERR_CONTROL',
  'DROVER_ERR_CONTROL_TIMEOUT',
  'DROVER_ERR_CONTROL_UNREACHABLE',
  'DROVER_ERR_CONTROL_CLOSED',
  'DROVER_ERR_REQUEST_EXPIRED',
  'DROVER_ERR_NOT_IMPLEMENTED',
  'DROVER_ERR_WS_UNAVAILABLE',
  'DROVER_ERR_LOG',
  'DROVER_ERR_LOG_NOT_FOUND',
  'DROVER_ERR_NOT_WRITABLE',
  'DROVER_ERR_TYPESCRIPT',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(code: string): code is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code);
}

export class DroverError extends Error {
  readonly code: ErrorCode;
  /** What the user can do about it; printed as "hint:" by the CLI. */
  readonly hint: string | undefined;
  /** Extra text printed after the error (a log's tail, a worker's stack). */
  readonly details: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; details?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  toJSON(): SerializedError {
    return { code: this.code, message: this.message, hint: this.hint, details: this.details };
  }
}

export interface SerializedError {
  code: string;
  message: string;
  hint?: string | undefined;
  details?: string | undefined;
}

/** Rebuilds an error that crossed a process boundary (control socket, IPC). */
export function reviveError(e: SerializedError): DroverError {
  const code = (ERROR_CODES as readonly string[]).includes(e.code) ? (e.code as ErrorCode) : 'DROVER_ERR_CONTROL';
  return new DroverError(code, e.message, { hint: e.hint, details: e.details });
}

export class UsageError extends DroverError {
  constructor(message: string, hint?: string) {
    super('DROVER_ERR_USAGE', message, { hint: hint ?? 'run "drover --help" for the commands and options.' });
  }
}

export class ConfigError extends DroverError {
  constructor(file: string, message: string) {
    super('DROVER_ERR_CONFIG', `${file}: ${message}`, {
      hint: 'fix the file and run the command again; nothing was started or changed.',
    });
  }
}

export class ConfigNotFoundError extends DroverError {
  constructor(service: string, configDir: string, known: string[] = []) {
    const near = nearest(service, known);
    const listed = known.length > 0 ? `configured here: ${known.join(', ')}` : 'no service is configured here';
    super('DROVER_ERR_CONFIG_NOT_FOUND', `no config for service "${service}" in ${configDir}.`, {
      hint: near
        ? `did you mean "${near}"? (${listed})`
        : `${listed}; create ${configDir}/worker_${service}.js (or .mjs, .cjs, .json), or run "drover init".`,
    });
  }
}

export class UnknownServiceError extends DroverError {
  constructor(service: string, known: string[]) {
    super('DROVER_ERR_UNKNOWN_SERVICE', `"${service}" is not a valid service name.`, {
      hint: `a service name is letters, digits, "_" or "-"; configured here: ${known.join(', ') || 'none'}.`,
    });
  }
}

export class AlreadyRunningError extends DroverError {
  constructor(service: string, pid: number) {
    super('DROVER_ERR_ALREADY_RUNNING', `${service} is already running (master pid ${pid}).`, {
      hint: `stop it first with "drover ${service} stop", or use "drover ${service} restart".`,
    });
  }
}

export class NotRunningError extends DroverError {
  constructor(service: string, socketPath: string) {
    super('DROVER_ERR_NOT_RUNNING', `${service} is not running (no master answers on ${socketPath}).`, {
      hint: `start it with "drover ${service} start -d".`,
    });
  }
}

export class PortInUseError extends DroverError {
  constructor(address: string, details?: string) {
    super('DROVER_ERR_PORT_IN_USE', `cannot listen on ${address}: the address is already in use.`, {
      hint: 'stop what holds the port (see "ss -ltnp"), or change "listen" in the service config.',
      details,
    });
  }
}

export class LogFileError extends DroverError {
  constructor(file: string, cause: NodeJS.ErrnoException) {
    super('DROVER_ERR_LOG', `cannot open the log file ${file} (${cause.code ?? cause.message}).`, {
      hint: 'make its folder writable by the user that runs drover, or set "logFile" in the service config to a path that is.',
      cause,
    });
  }
}

export class LogNotFoundError extends DroverError {
  constructor(service: string, file: string) {
    super('DROVER_ERR_LOG_NOT_FOUND', `${service} has no log file at ${file}.`, {
      hint: `a service started in the foreground logs to the terminal; "drover ${service} start -d" writes ${file} (or set "logFile").`,
    });
  }
}
