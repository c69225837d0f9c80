import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter, MAX_LINE } from '../../../src/log/line-splitter.js';

test('lines cut anywhere, even inside a UTF-8 character, come out whole', () => {
  const s = new LineSplitter();
  const bytes = Buffer.from('héllo\nwor');
  assert.deepEqual(s.push(bytes.subarray(0, 2)), []);
  assert.deepEqual(s.push(bytes.subarray(2)), ['héllo']);
  assert.deepEqual(s.push(Buffer.from('ld\n\nlast')), ['world', '']);
  assert.deepEqual(s.end(), ['last']);
  assert.deepEqual(s.end(), []);
});

test('a line that never ends is cut at MAX_LINE', () => {
  const s = new LineSplitter();
  const lines = s.push(Buffer.alloc(MAX_LINE * 2 + 10, 'a'));
  assert.deepEqual(lines.map((l) => l.length), [MAX_LINE, MAX_LINE]);
  assert.deepEqual(s.end().map((l) => l.length), [10]);
});
