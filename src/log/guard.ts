// process.stdout and process.stderr are streams whose write errors (ENOSPC on a full disk,
// EPIPE when the reader went away, EIO on a lost terminal) arrive as 'error' events; without
// a listener the process dies of its own logging (DESIGN gotcha 8, issue 9 item 4). Every
// drover process installs this first: a line that cannot be written is lost, the process is not.
let installed = false;

export function guardStdio(onError: (stream: 'stdout' | 'stderr', error: Error) => void = () => undefined): void {
  if (installed) return;
  installed = true;
  process.stdout.on('error', (error: Error) => onError('stdout', error));
  process.stderr.on('error', (error: Error) => onError('stderr', error));
}
