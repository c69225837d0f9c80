import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLines, parseLine } from '../../../src/log/line-format.js';

const TIME = '2026-11-30T15:28:31.123Z';
const WORKER = { service: 'http', worker: 2, pid: 4101 };
const MASTER = { service: 'http', worker: null, pid: 4100 };

test('text lines: one prefix per line, parsed back', () => {
  const text = formatLines('text', TIME, WORKER, 'stderr', ['first', 'a [bracket] and "quotes"']);
  assert.equal(text, `${TIME} [http worker 2 pid 4101 stderr] first\n${TIME} [http worker 2 pid 4101 stderr] a [bracket] and "quotes"\n`);
  assert.deepEqual(parseLine(text.split('\n')[1]!), { time: TIME, ...WORKER, stream: 'stderr', message: 'a [bracket] and "quotes"' });
  assert.deepEqual(parseLine(formatLines('text', TIME, MASTER, 'stdout', ['up']).trimEnd()), { time: TIME, ...MASTER, stream: 'stdout', message: 'up' });
});

test('JSON lines: valid JSON whatever the message holds, "worker" only on workers', () => {
  const message = 'tab\there, "quoted", \\ and \u2028 and é';
  const line = formatLines('json', TIME, WORKER, 'stdout', [message]).trimEnd();
  assert.deepEqual(JSON.parse(line), { time: TIME, service: 'http', process: 'worker', worker: 2, pid: 4101, stream: 'stdout', message });
  assert.deepEqual(parseLine(line), { time: TIME, ...WORKER, stream: 'stdout', message });
  const master = JSON.parse(formatLines('json', TIME, MASTER, 'stderr', ['x']).trimEnd()) as Record<string, unknown>;
  assert.equal(master.process, 'master');
  assert.ok(!('worker' in master));
});

test('lines drover did not write are not parsed', () => {
  assert.equal(parseLine('GET / served by 7656'), null);
  assert.equal(parseLine('{"not":"ours"}'), null);
  assert.equal(parseLine('{broken'), null);
});
