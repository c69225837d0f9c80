// followFile against real files renamed under it the way logrotate ("create") and drover's own
// maxSize rotation do: every line once and in order, even when two rotations happen between
// two of its looks at the path (a file that was at the path for less than a poll).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { followFile } from '../../../src/log/follow.ts';

/** Renames file.N → file.N+1 … file → file.1 and creates an empty file, as one rotation. */
function rotate(file: string): void {
  for (let i = 9; i >= 1; i--) if (fs.existsSync(`${file}.${i}`)) fs.renameSync(`${file}.${i}`, `${file}.${i + 1}`);
  fs.renameSync(file, `${file}.1`);
  fs.writeFileSync(file, '');
}

async function follow(file: string, act: (append: (from: number, to: number) => void) => void, last: number): Promise<string[]> {
  const lines: string[] = [];
  const stop = new AbortController();
  const following = followFile(file, fs.statSync(file).size, (line) => lines.push(line), stop.signal);
  try {
    act((from, to) => {
      for (let n = from; n <= to; n++) fs.appendFileSync(file, `line ${n}\n`);
    });
    const deadline = Date.now() + 5000;
    while (!lines.includes(`line ${last}`) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    stop.abort();
    await following;
  }
  return lines;
}

const numbered = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);

/** Runs `fn` with the path of a log file in a folder of its own, removed afterwards. */
async function withLogFile(fn: (file: string) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drover-follow-'));
  try {
    await fn(path.join(dir, 'web.log'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('two rotations between two looks: the file in between is read from the numbered copies, every line once, in order', () =>
  withLogFile(async (file) => {
    fs.writeFileSync(file, 'before\n');
    const lines = await follow(
      file,
      (append) => {
        append(1, 3);
        // All within one poll: the file holding lines 4-6 is never at the path when it looks.
        rotate(file);
        append(4, 6);
        rotate(file);
        append(7, 9);
      },
      9,
    );
    assert.deepEqual(lines, numbered(1, 9));
  }));

test('a copy the follower cannot place (its own file is no longer among the numbered copies) is not read', () =>
  withLogFile(async (file) => {
    fs.writeFileSync(`${file}.1`, 'old history\n');
    fs.writeFileSync(file, 'before\n');
    const lines = await follow(
      file,
      (append) => {
        append(1, 2);
        // Its file is deleted, not renamed: nothing tells which copies are newer than it.
        fs.rmSync(file);
        fs.writeFileSync(file, '');
        append(3, 4);
      },
      4,
    );
    // Lines 1-2 are read from the deleted file through the descriptor it holds.
    assert.deepEqual(lines, numbered(1, 4));
  }));
