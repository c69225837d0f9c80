import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Slot } from '../../../src/master/slot.ts';
import type { WorkerHandle } from '../../../src/master/worker-handle.ts';

const backoff = { initialMs: 100, maxMs: 1000, resetAfterMs: 10_000 };
const booted = (readyAt: number) => ({ readyAt, pid: 1, exitInfo: { code: 1, signal: null }, bootFailure: null }) as unknown as WorkerHandle;
const failedBoot = () => ({ readyAt: 0, pid: 1, exitInfo: { code: 3, signal: null }, bootFailure: { message: 'boom' } }) as unknown as WorkerHandle;

test('crash back-off doubles up to maxMs and resets after a stable run', () => {
  const slot = new Slot(1, 'http');
  const now = 1_000_000;
  const delays = [1, 2, 3, 4, 5].map(() => slot.recordCrash(booted(now - 10), backoff, 5, now));
  assert.deepEqual(delays, [100, 200, 400, 800, 1000]);
  assert.equal(slot.recordCrash(booted(now - 20_000), backoff, 5, now), 100, 'a worker that ran 20 s resets the count');
});

test('maxBootFailures boot failures in a row mark the slot errored', () => {
  const slot = new Slot(1, 'http');
  for (let i = 1; i <= 3; i++) {
    slot.recordCrash(failedBoot(), backoff, 3, 0);
    assert.equal(slot.errored, i === 3);
  }
  assert.equal(slot.lastError, 'boom');
  slot.recordReady();
  assert.equal(slot.errored, false);
  assert.equal(slot.bootFailures, 0);
});
