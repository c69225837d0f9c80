import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkerCounters } from '../../../src/worker/stats.ts';

test('rps counts a burst at once, and only the last seconds of the window later on', () => {
  const t0 = 1_000_000;
  const c = new WorkerCounters(t0);
  for (let i = 0; i < 30; i++) c.onRequest();
  assert.equal(c.rps(t0 + 500), 30, 'a young worker divides by at least a second: the burst counts at once');
  assert.equal(c.rps(t0 + 3000), 10, 'then by its age');
  // Sampled every second, as the master's monitor does, with no request for 20 s.
  for (let t = t0 + 4000; t <= t0 + 23_000; t += 1000) c.rps(t);
  assert.equal(c.rps(t0 + 24_000), 0, 'the burst is out of the window');
  for (let i = 0; i < 50; i++) c.onRequest();
  assert.equal(c.rps(t0 + 25_000), 5, '50 requests over the last 10 s');
  const s = c.snapshot();
  assert.equal(s.requests, 80);
  assert.ok(s.rss > 0 && s.heapUsed > 0);
  assert.ok(s.elu >= 0 && s.elu <= 1);
});

test('the samples the rate keeps stay bounded however often it is asked', () => {
  const t0 = 1_000_000;
  const c = new WorkerCounters(t0);
  for (let t = t0; t < t0 + 120_000; t += 50) {
    c.onRequest();
    c.rps(t);
  }
  const samples = (c as unknown as { samples: unknown[] }).samples;
  assert.ok(samples.length <= 13, `kept ${samples.length} samples`);
  const rps = c.rps(t0 + 120_000);
  assert.ok(Math.abs(rps - 20) <= 0.2, `one request per 50 ms: ${rps}`);
});

test('onRequestLimit fires once, when requests reach the limit', () => {
  const c = new WorkerCounters();
  let fired = 0;
  c.requestLimit = 3;
  c.onRequestLimit = () => (fired += 1);
  for (let i = 0; i < 5; i++) c.onRequest();
  assert.equal(fired, 1);
});
