import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TAIL_LINE_CHARS, TAIL_LINES, TailBuffer } from '../../../src/log/tail-buffer.js';

test('keeps the last lines, bounded in count and width', () => {
  const tail = new TailBuffer();
  for (let i = 0; i < 50; i++) tail.push([`line ${i}`]);
  tail.push(['x'.repeat(TAIL_LINE_CHARS + 100)]);
  const lines = tail.list();
  assert.equal(lines.length, TAIL_LINES);
  assert.equal(lines[0], `line ${50 - TAIL_LINES + 1}`);
  assert.equal(lines.at(-1)!.length, TAIL_LINE_CHARS + 1);
});
