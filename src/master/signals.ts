// Signal handlers only record what was asked. Installed first thing in the master: SIGUSR2's
// default action kills a process that has no handler yet.
import type { CommandQueue } from './command-queue.js';

export function installSignalHandlers(queue: CommandQueue, reopenLogs: () => void): void {
  process.on('SIGUSR2', () => queue.push({ kind: 'reload', reason: 'SIGUSR2', waiters: [] }));
  process.on('SIGHUP', () => queue.push({ kind: 'reload', reason: 'SIGHUP', waiters: [] }));
  process.on('SIGTERM', () => queue.push({ kind: 'stop', mode: 'graceful', reason: 'SIGTERM', waiters: [] }));
  process.on('SIGINT', () => queue.push({ kind: 'stop', mode: 'fast', reason: 'SIGINT', waiters: [] }));
  process.on('SIGQUIT', () => queue.push({ kind: 'stop', mode: 'fast', reason: 'SIGQUIT', waiters: [] }));
  // Node opens its inspector on 127.0.0.1:9229 for an unhandled SIGUSR1: never in a master.
  // Here it reopens the log, as in nginx and Gunicorn. Not queued: it touches no worker, and a
  // reopen must not wait behind a reload that can take stopTimeout.
  process.on('SIGUSR1', reopenLogs);
}
