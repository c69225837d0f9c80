// What a command does when its stdout fails.
//
// `drover http status | head -1`: the reader goes away before we are done, and node reports the
// closed pipe (EPIPE) as an 'error' event on process.stdout, which with no listener ended the
// process with a stack trace (Node 20, 22 and 24). Here the command goes on without its output:
// one that acts finishes what it does (`all stop | head -1` still stops every service) and exits
// with its own code; one that would print for ever (status -w, logs -f) ends, with 0, at the next
// turn of the event loop.
//
// Any other failure (`status > file` on a full disk: ENOSPC) loses output the user asked for, so
// it is said once on stderr (DROVER_ERR_OUTPUT) and the exit code becomes 1 if it was 0.
//
// Not for start and restart, which can run the master in this process: the master installs its
// own guard (guardStdio is taken once per process), whose logging has its own answer.
import { droverError } from '../errors/index.js';
import { guardStdio } from '../log/guard.js';
import { EXIT } from './context.js';
import { printError } from './print-error.js';

export function surviveClosedStdout({ endless }: { endless: boolean }): void {
  let ending = false;
  let failed = false;
  guardStdio((stream, error) => {
    if (stream !== 'stdout') return; // nothing left to say it on
    const errno = (error as NodeJS.ErrnoException).code ?? error.message;
    if (errno !== 'EPIPE') {
      if (failed) return;
      failed = true;
      printError(droverError('DROVER_ERR_OUTPUT', { errno }));
      // The command sets its exit code when it returns, possibly after this: decide at exit.
      process.once('exit', () => {
        if (!process.exitCode) process.exitCode = EXIT.failed;
      });
    }
    if (!endless || ending) return;
    ending = true;
    setImmediate(() => process.exit());
  });
}
