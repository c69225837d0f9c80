// DroverError and the named errors: each is a code of src/errors/catalogue.ts with its
// parameters; the catalogue words the message and the hint. docs/errors.md lists the codes
// with what to do; test/unit/errors/index.test.ts keeps the three in step.
import { CATALOGUE, type ErrorCode, type ErrorParams, type UsageProblem } from './catalogue.js';

export type { ErrorCode, ErrorParams, UsageProblem } from './catalogue.js';

export const ERROR_CODES = Object.keys(CATALOGUE) as ErrorCode[];

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(CATALOGUE, code);
}

interface Extra {
  /** Extra text printed after the error (a log's tail, a worker's stack). */
  details?: string | undefined;
  cause?: unknown;
}

export class DroverError extends Error {
  readonly code: ErrorCode;
  /** What the user can do about it; printed as "hint:" by the CLI. */
  readonly hint: string | undefined;
  /** Extra text printed after the error (a log's tail, a worker's stack). */
  readonly details: string | undefined;

  /** Builds the error from the catalogue; `revive` alone passes words that were said elsewhere. */
  constructor(code: ErrorCode, text: { message: string; hint?: string | undefined }, extra: Extra = {}) {
    super(text.message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = text.hint;
    this.details = extra.details;
  }

  toJSON(): SerializedError {
    return { code: this.code, message: this.message, hint: this.hint, details: this.details };
  }
}

/** The catalogue's wording of `code` for `params`. */
export function describeError<C extends ErrorCode>(code: C, params: ErrorParams<C>): { message: string; hint?: string | undefined } {
  const e = CATALOGUE[code] as { message: (p: ErrorParams<C>) => string; hint?: (p: ErrorParams<C>) => string | undefined };
  return { message: e.message(params), hint: e.hint?.(params) };
}

/** The error for `code`, worded by the catalogue. */
export function droverError<C extends ErrorCode>(code: C, params: ErrorParams<C>, extra: Extra = {}): DroverError {
  return new DroverError(code, describeError(code, params), extra);
}

export interface SerializedError {
  code: string;
  message: string;
  hint?: string | undefined;
  details?: string | undefined;
}

/**
 * Rebuilds an error that crossed a process boundary (control socket, IPC): its words were
 * chosen by the catalogue on the other side. A code this drover does not know comes from a
 * master of another version: that is DROVER_ERR_CONTROL.
 */
export function reviveError(e: SerializedError, extra: Extra = {}): DroverError {
  const details = [e.details, extra.details].filter(Boolean).join('\n\n') || undefined;
  if (!isErrorCode(e.code)) return droverError('DROVER_ERR_CONTROL', { code: e.code, failure: e.message }, { details });
  return new DroverError(e.code, { message: e.message, hint: e.hint }, { ...extra, details });
}

export class UsageError extends DroverError { constructor(problem: UsageProblem) { super('DROVER_ERR_USAGE', describeError('DROVER_ERR_USAGE', problem)); } }
export class ConfigError extends DroverError { constructor(file: string, rule: string) { super('DROVER_ERR_CONFIG', describeError('DROVER_ERR_CONFIG', { file, rule })); } }
export class ConfigNotFoundError extends DroverError { constructor(service: string, configDir: string, known: string[] = []) { super('DROVER_ERR_CONFIG_NOT_FOUND', describeError('DROVER_ERR_CONFIG_NOT_FOUND', { service, configDir, known })); } }
export class UnknownServiceError extends DroverError { constructor(service: string, known: string[]) { super('DROVER_ERR_UNKNOWN_SERVICE', describeError('DROVER_ERR_UNKNOWN_SERVICE', { service, known })); } }
export class AlreadyRunningError extends DroverError { constructor(service: string, pid: number) { super('DROVER_ERR_ALREADY_RUNNING', describeError('DROVER_ERR_ALREADY_RUNNING', { service, pid })); } }
export class NotRunningError extends DroverError { constructor(service: string, socket: string, cause?: unknown) { super('DROVER_ERR_NOT_RUNNING', describeError('DROVER_ERR_NOT_RUNNING', { service, socket }), { cause }); } }
export class PortInUseError extends DroverError { constructor(address: string) { super('DROVER_ERR_PORT_IN_USE', describeError('DROVER_ERR_PORT_IN_USE', { address })); } }
export class LogFileError extends DroverError { constructor(file: string, cause: NodeJS.ErrnoException) { super('DROVER_ERR_LOG', describeError('DROVER_ERR_LOG', { file, reason: cause.code ?? cause.message }), { cause }); } }
export class LogNotFoundError extends DroverError { constructor(service: string, file: string) { super('DROVER_ERR_LOG_NOT_FOUND', describeError('DROVER_ERR_LOG_NOT_FOUND', { service, file })); } }
