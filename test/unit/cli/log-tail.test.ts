import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readTail } from '../../../src/cli/log-tail.ts';

function tempLog(t: { after(fn: () => void): void }, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dv-tail-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'web.log');
  fs.writeFileSync(file, text);
  return file;
}

test('the tail starts at a byte offset, after lines that are not ASCII', (t) => {
  // 40 lines of 3-byte characters: as a character offset, the byte size points past the end.
  const before = 'déjà vu — ünïcödé ✓ 日本語\n'.repeat(40);
  const file = tempLog(t, before);
  const offset = fs.statSync(file).size;
  fs.appendFileSync(file, 'worker 1 failed to boot: boom\n  at onWorkerStart (Worker.ts:3)\n');
  assert.equal(readTail(file, offset, 20), 'worker 1 failed to boot: boom\n  at onWorkerStart (Worker.ts:3)');
});

test('non-ASCII text in the tail itself comes out whole', (t) => {
  const file = tempLog(t, 'old line\n');
  const offset = fs.statSync(file).size;
  fs.appendFileSync(file, 'erreur: le fichier « config » est illisible ✗\n');
  assert.equal(readTail(file, offset, 20), 'erreur: le fichier « config » est illisible ✗');
});

test('only the last lines, and nothing from before the offset', (t) => {
  const file = tempLog(t, 'before\n');
  const offset = fs.statSync(file).size;
  fs.appendFileSync(file, Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n') + '\n');
  const tail = readTail(file, offset, 20).split('\n');
  assert.equal(tail.length, 20);
  assert.equal(tail[0], 'line 11');
  assert.equal(tail.at(-1), 'line 30');
});

test('a huge tail is read from its end only, starting at a whole line', (t) => {
  const file = tempLog(t, '');
  fs.appendFileSync(file, 'é'.repeat(100_000) + '\nlast line\n');
  assert.equal(readTail(file, 0, 20), 'last line');
});

test('no new text, or no file: an empty tail', (t) => {
  const file = tempLog(t, 'one\n');
  assert.equal(readTail(file, fs.statSync(file).size, 20), '');
  assert.equal(readTail(path.join(path.dirname(file), 'missing.log'), 0, 20), '');
});
