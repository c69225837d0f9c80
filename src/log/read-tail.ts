// The last lines of a log file that pass a filter, read backwards in chunks: a 2 GB log costs
// no more than its end.
import fs from 'node:fs';

const CHUNK = 64 * 1024;

/** Up to `count` last complete lines of `file` for which `keep` is true, and the size read up to. */
export function readLastLines(file: string, count: number, keep: (line: string) => boolean): { lines: string[]; size: number } {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const found: string[] = [];
    let position = size;
    let carry = Buffer.alloc(0);
    while (position > 0 && found.length < count) {
      const length = Math.min(CHUNK, position);
      position -= length;
      const chunk = Buffer.alloc(length);
      fs.readSync(fd, chunk, 0, length, position);
      const data = Buffer.concat([chunk, carry]);
      // Before the first newline may be the end of a line that starts in an earlier chunk.
      const first = position === 0 ? -1 : data.indexOf(10);
      if (first === -1 && position > 0) {
        carry = data; // one line longer than a chunk: read further back
        continue;
      }
      carry = data.subarray(0, first + 1);
      const lines = data.subarray(first + 1).toString('utf8').split('\n');
      if (lines.at(-1) === '') lines.pop();
      for (let i = lines.length - 1; i >= 0 && found.length < count; i--) if (keep(lines[i]!)) found.push(lines[i]!);
    }
    return { lines: found.reverse(), size };
  } finally {
    fs.closeSync(fd);
  }
}
