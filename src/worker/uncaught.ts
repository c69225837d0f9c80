// What an HTTP worker does with an error no request handler caught: a throw in a timer, an
// event handler or a promise nobody awaited. Node's own advice (and Gunicorn's, PM2's) is that
// the process may now hold broken state and must be replaced; dying on the spot, as Node does
// by default, would also drop every request in flight on this worker. So: log it once with its
// stack (it is a bug in the app, and the log is where its author will look), keep serving, and
// ask the master for a graceful replacement, the same path as maxRequests: the new worker is
// ready before this one drains. Errors inside a request never get here: they answer 500.
import type { WorkerContext } from './context.js';

/** Errors logged with their stack per worker; later ones get one line each, up to LOGGED_LINES. */
const LOGGED_WITH_STACK = 1;
const LOGGED_LINES = 10;
/** A recycle the master abandoned (its replacement failed to boot) is asked for again, at most this often. */
const ASK_EVERY_MS = 1000;

export function replaceWorkerOnUncaughtError(worker: WorkerContext, askReplacement: (reason: string) => void): void {
  let seen = 0;
  let askedAt = -Infinity;
  const onError = (kind: string) => (error: unknown) => {
    seen += 1;
    const message = String((error as Error)?.message ?? error);
    if (seen <= LOGGED_LINES) {
      const text = seen <= LOGGED_WITH_STACK ? ((error as Error)?.stack ?? message) : message;
      const more = seen === LOGGED_LINES ? ' (further ones are not logged)' : '';
      process.stderr.write(`[${worker.service} worker ${worker.workerId} pid ${process.pid}] ${kind}, this worker will be replaced${more}: ${text}\n`);
    }
    if (performance.now() - askedAt < ASK_EVERY_MS) return;
    askedAt = performance.now();
    askReplacement(`${kind}: ${message.split('\n', 1)[0]}`);
  };
  process.on('uncaughtException', onError('uncaught exception'));
  process.on('unhandledRejection', onError('unhandled rejection'));
}
