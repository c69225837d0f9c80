import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkerCounters } from '../../../src/worker/stats.ts';

test('rps counts the last seconds of the window, the current one included', () => {
  const c = new WorkerCounters();
  for (let i = 0; i < 30; i++) c.onRequest();
  const now = Date.now();
  assert.ok(c.rps(now) > 0, 'a burst in the current second counts at once');
  assert.equal(c.rps(now + 60_000), 0, 'outside the window');
  const s = c.snapshot();
  assert.equal(s.requests, 30);
  assert.ok(s.rss > 0 && s.heapUsed > 0);
  assert.ok(s.elu >= 0 && s.elu <= 1);
});
