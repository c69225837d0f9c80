import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ledger } from '../../../src/master/ledger.ts';
import type { WorkerStats } from '../../../src/protocol/status.ts';

const stats = (requests: number, extra: Partial<WorkerStats> = {}): WorkerStats => ({ rss: 1, heapUsed: 1, requests, rps: 0, inflight: 0, connections: 0, elu: 0, ...extra });

test('retired workers add up per slot and per service; WebSocket and dropped-log counters too', () => {
  const ledger = new Ledger();
  ledger.retire(1, stats(10));
  ledger.retire(1, stats(5, { ws: { clients: 3, groups: 1, messagesIn: 7, messagesOut: 9 } }));
  ledger.retire(2, stats(4));
  assert.deepEqual(ledger.retiredBySlot.get(1), { requests: 15, wsMessagesIn: 7, wsMessagesOut: 9 });
  assert.deepEqual(ledger.retired, { requests: 19, wsMessagesIn: 7, wsMessagesOut: 9 });
});

test('reloads: ok and failed counted, durations into cumulative buckets, an event each', () => {
  const ledger = new Ledger();
  ledger.recordReload({ ok: true, durationMs: 1500, replaced: [], generation: 2 });
  ledger.recordReload({ ok: true, durationMs: 400, replaced: [], generation: 3 });
  ledger.recordReload({ ok: false, durationMs: 10, replaced: [], generation: 3, error: { code: 'DROVER_ERR_CONFIG', message: 'bad' } });
  assert.deepEqual(ledger.reloads, { ok: 2, failed: 1 });
  assert.deepEqual(ledger.reloadDuration.buckets, [1, 1, 2, 2, 2, 2, 2, 2]);
  assert.equal(ledger.reloadDuration.count, 2);
  assert.equal(ledger.reloadDuration.sum, 1.9);
  assert.deepEqual(ledger.events.map((e) => e.kind), ['reload', 'reload', 'reload-failed']);
});

test('the event list is bounded', () => {
  const ledger = new Ledger();
  for (let i = 0; i < 500; i++) ledger.recordRestart(1, `restart ${i}`);
  assert.equal(ledger.restarts, 500);
  assert.equal(ledger.events.length, 200);
  assert.equal(ledger.events.at(-1)!.text, 'restart 499');
});
