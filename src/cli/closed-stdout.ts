// `drover http status | head -1`: the reader goes away before we are done, and node reports the
// closed pipe (EPIPE) as an 'error' event on process.stdout, which with no listener ended the
// process with a stack trace (Node 20, 22 and 24). With this listener the command goes on
// without its output: one that acts finishes what it does (`all stop | head -1` still stops
// every service) and exits with its own code; one that would print for ever (status -w,
// logs -f) ends, with 0, at the next turn of the event loop.
//
// Not for start and restart, which can run the master in this process: its logging has its own
// answer to a closed stdout (src/log/).
export function surviveClosedStdout({ endless }: { endless: boolean }): void {
  let ending = false;
  process.stdout.on('error', () => {
    if (!endless || ending) return;
    ending = true;
    setImmediate(() => process.exit());
  });
}
