// `logs -f`: prints what is appended to a log file, by name, across reopen and rotation (like
// `tail -F`). A rotated file (new inode at the path) is still read until it has been quiet
// for a while, because the master writes to it until it reopens; a truncated file
// (logrotate's copytruncate) is read again from its start.
import fs from 'node:fs';

const POLL_MS = 200;
/** A rotated-away file that has not grown for this long is done with. */
const OLD_FILE_QUIET_MS = 5000;

interface Open {
  fd: number;
  ino: number;
  position: number;
  rest: string;
  grewAt: number;
}

export async function followFile(file: string, from: number, emit: (line: string) => void, signal: AbortSignal): Promise<void> {
  let current: Open | null = openAt(file, from);
  const old: Open[] = [];
  while (!signal.aborted) {
    for (const o of [...old]) {
      readNew(o, emit);
      if (Date.now() - o.grewAt > OLD_FILE_QUIET_MS) {
        fs.closeSync(o.fd);
        old.splice(old.indexOf(o), 1);
      }
    }
    if (current) readNew(current, emit);
    const ino = inodeOf(file);
    if (ino !== null && ino !== current?.ino) {
      if (current) old.push(current);
      current = openAt(file, 0);
      if (current) readNew(current, emit);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  for (const o of [...old, ...(current ? [current] : [])]) fs.closeSync(o.fd);
}

function openAt(file: string, position: number): Open | null {
  try {
    const fd = fs.openSync(file, 'r');
    return { fd, ino: fs.fstatSync(fd).ino, position, rest: '', grewAt: Date.now() };
  } catch {
    return null; // between a rename and the master's reopen there is no file at the path
  }
}

function inodeOf(file: string): number | null {
  try {
    return fs.statSync(file).ino;
  } catch {
    return null;
  }
}

function readNew(o: Open, emit: (line: string) => void): void {
  const size = fs.fstatSync(o.fd).size;
  if (size < o.position) {
    o.position = 0; // truncated under us (copytruncate)
    o.rest = '';
  }
  if (size === o.position) return;
  const buffer = Buffer.alloc(size - o.position);
  const n = fs.readSync(o.fd, buffer, 0, buffer.length, o.position);
  o.position += n;
  o.grewAt = Date.now();
  const lines = (o.rest + buffer.subarray(0, n).toString('utf8')).split('\n');
  o.rest = lines.pop()!;
  for (const line of lines) emit(line);
}
