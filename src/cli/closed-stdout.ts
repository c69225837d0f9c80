// `drover http status | head -1`: the reader goes away before we are done, and node reports the
// closed pipe (EPIPE) as an 'error' event on process.stdout, which with no listener ended the
// process with a stack trace (Node 20, 22 and 24). A command that prints ends quietly instead,
// at the next turn of the event loop: a one-shot command has decided its exit code by then and
// keeps it (status --json of a stopped service: 3), and one that would print forever
// (status -w, logs -f) stops, with 0.
//
// Not for start and restart, which can run the master in this process: its logging has its own
// answer to a closed stdout (src/log/), and a master must not exit because a reader left.
export function endWhenStdoutCloses(): void {
  let ending = false;
  process.stdout.on('error', () => {
    if (ending) return;
    ending = true;
    setImmediate(() => process.exit());
  });
}
