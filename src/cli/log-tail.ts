// The last lines a log gained since an offset, for a failed start's report. The offset is a
// byte offset (a file size): the slice is taken on bytes, then decoded, or a log with non-ASCII
// lines before the offset comes out shifted or empty.
import fs from 'node:fs';

/** Reads at most this much of the end of the log. */
const MAX_TAIL_BYTES = 64 * 1024;

export function readTail(file: string, fromByte: number, lines: number): string {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.max(fromByte, size - MAX_TAIL_BYTES, 0);
    if (start >= size) return '';
    const bytes = Buffer.alloc(size - start);
    const read = fs.readSync(fd, bytes, 0, bytes.length, start);
    let text = bytes.subarray(0, read).toString('utf8');
    // Cut short at the front: the first line may start mid-line or mid-character.
    if (start > fromByte) text = text.slice(text.indexOf('\n') + 1);
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  } finally {
    fs.closeSync(fd);
  }
}
