// `logs -f`: prints what is appended to a log file, by name, across reopen and rotation (like
// `tail -F`). A rotated file (new inode at the path) is still read until it has been quiet
// for a while, because the master writes to it until it reopens; a truncated file
// (logrotate's copytruncate) is read again from its start. The path is looked at every
// POLL_MS: a file that was at the path for less than that (two rotations within one look) is
// found among the numbered copies (`<file>.1`, `.2`, …: logrotate's default names and drover's
// own) and read whole, so its lines are not skipped.
import fs from 'node:fs';

const POLL_MS = 200;
/** A rotated-away file that has not grown for this long is done with. */
const OLD_FILE_QUIET_MS = 5000;
/** How many numbered copies are looked at for files rotated away between two looks. */
const NUMBERED_COPIES = 10;

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
  const seen = new Set<number>(current ? [current.ino] : []);
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
      if (current) {
        old.push(current);
        for (const missed of rotatedSince(file, current.ino, seen)) {
          seen.add(missed.ino);
          readNew(missed, emit);
          old.push(missed);
        }
      }
      current = openAt(file, 0);
      if (current) {
        seen.add(current.ino);
        readNew(current, emit);
      }
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

/**
 * The numbered copies newer than the one holding `ino` that were never opened, oldest first,
 * open at their start. None when `ino` is not among them (its copy was compressed, deleted or
 * named by date): then which copies are newer cannot be told, and none is read.
 */
function rotatedSince(file: string, ino: number, seen: Set<number>): Open[] {
  const newer: string[] = [];
  for (let i = 1; i <= NUMBERED_COPIES; i++) {
    const copy = `${file}.${i}`;
    const copyIno = inodeOf(copy);
    if (copyIno === null) return [];
    if (copyIno === ino) return openUnseen(newer.reverse(), seen);
    if (!seen.has(copyIno)) newer.push(copy);
  }
  return [];
}

/** Opens each file at its start, unless it turns out to be one already seen (it moved meanwhile). */
function openUnseen(files: string[], seen: Set<number>): Open[] {
  const opened: Open[] = [];
  for (const f of files) {
    const o = openAt(f, 0);
    if (o && !seen.has(o.ino)) opened.push(o);
    else if (o) fs.closeSync(o.fd);
  }
  return opened;
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
