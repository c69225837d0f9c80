import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkerCounters } from '../../../src/worker/stats.ts';

test('rps counts the last full seconds of the window, not the current one', () => {
  const c = new WorkerCounters();
  for (let i = 0; i < 30; i++) c.onRequest();
  const now = Date.now();
  assert.equal(c.rps(now - (now % 1000)), 0, 'requests of the current second are not counted yet');
  assert.ok(c.rps(now + 1000) > 0);
  assert.equal(c.rps(now + 60_000), 0, 'outside the window');
  const s = c.snapshot();
  assert.equal(s.requests, 30);
  assert.ok(s.rss > 0 && s.heapUsed > 0);
  assert.ok(s.elu >= 0 && s.elu <= 1);
});
