import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineFramer, parseObjectLine } from '../../../src/local/lines.ts';

test('LineFramer: lines split anywhere, several per chunk, the unfinished tail kept', () => {
  const lines: string[] = [];
  const framer = new LineFramer((line) => void lines.push(line));
  for (const ch of 'ab\ncd') framer.push(ch);
  framer.push('e\n\nf\ng');
  assert.deepEqual(lines, ['ab', 'cde', '', 'f']);
});

test('LineFramer: a refused line or one past maxLine ends the stream, reported once', () => {
  const broken: string[] = [];
  const lines: string[] = [];
  const refusing = new LineFramer((line) => (lines.push(line), line !== 'bad'), { onBroken: (why) => broken.push(why) });
  refusing.push('ok\nbad\nnever\n');
  refusing.push('never either\n');
  assert.deepEqual(lines, ['ok', 'bad']);
  const limited = new LineFramer(() => undefined, { maxLine: 4, onBroken: (why) => broken.push(why) });
  limited.push('1234\n');
  limited.push('12345'); // unfinished, already too long: no need to wait for its newline
  limited.push('\n');
  assert.deepEqual(broken, ['refused', 'too-long']);
});

test('parseObjectLine: objects only', () => {
  assert.deepEqual(parseObjectLine('{"t":"x"}'), { t: 'x' });
  for (const line of ['', 'x', '[1]', 'null', '1', '"s"']) assert.equal(parseObjectLine(line), null, line);
});
