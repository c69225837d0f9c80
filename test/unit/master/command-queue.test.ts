import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandQueue, isAbandoned, type Command } from '../../../src/master/command-queue.ts';
import type { ReloadResult } from '../../../src/protocol/status.ts';

const reload = (results: ReloadResult[] = []): Command => ({ kind: 'reload', reason: 'test', waiters: [{ resolve: (r) => results.push(r) }] });

test('a burst of reloads while one is pending becomes one reload with every waiter', async () => {
  const q = new CommandQueue();
  const results: ReloadResult[] = [];
  for (let i = 0; i < 5; i++) q.push(reload(results));
  const first = await q.next();
  assert.equal(first.kind, 'reload');
  assert.equal(first.kind === 'reload' && first.waiters.length, 5);
});

test('a reload asked for during a reload runs once more after it', async () => {
  const q = new CommandQueue();
  q.push(reload());
  const running = await q.next(); // the loop is now busy with it
  assert.equal(running.kind, 'reload');
  q.push(reload());
  q.push(reload());
  const again = await q.next();
  assert.equal(again.kind, 'reload');
  assert.equal(again.kind === 'reload' && again.waiters.length, 2);
});

test('a stop cancels pending reloads, jumps the queue and aborts the stop signal', async () => {
  const q = new CommandQueue();
  const results: ReloadResult[] = [];
  q.push({ kind: 'reap' });
  q.push(reload(results));
  q.push({ kind: 'stop', mode: 'graceful', reason: 'test', waiters: [] });
  assert.equal(results.length, 1);
  assert.equal(results[0]!.ok, false);
  assert.ok(q.stopSignal.aborted);
  assert.equal((await q.next()).kind, 'stop');
  q.push(reload(results));
  assert.equal(results.length, 2, 'a reload after a stop is refused at once');
});

test('a second, stronger stop escalates the one in progress', async () => {
  const q = new CommandQueue();
  const escalations: string[] = [];
  q.onStopEscalated = (mode) => escalations.push(mode);
  q.push({ kind: 'stop', mode: 'graceful', reason: 'SIGTERM', waiters: [] });
  await q.next();
  q.push({ kind: 'stop', mode: 'graceful', reason: 'SIGTERM', waiters: [] });
  q.push({ kind: 'stop', mode: 'fast', reason: 'SIGINT', waiters: [] });
  q.push({ kind: 'stop', mode: 'wait', reason: 'stop -g', waiters: [] });
  assert.deepEqual(escalations, ['fast']);
  assert.equal(q.stopMode, 'fast');
});

test('next() waits for a command', async () => {
  const q = new CommandQueue();
  const next = q.next();
  setImmediate(() => q.push({ kind: 'reap' }));
  assert.equal((await next).kind, 'reap');
});

test('a reload only gone clients asked for is abandoned; one a signal asked for never is', async () => {
  let gone = false;
  const fromClient = (): Command => ({ kind: 'reload', reason: 'control', waiters: [{ resolve: () => undefined, gone: () => gone }] });
  const q = new CommandQueue();
  q.push(fromClient());
  q.push(fromClient());
  const both = await q.next();
  assert.ok(both.kind === 'reload');
  assert.equal(isAbandoned(both), false, 'its clients still wait');
  gone = true;
  assert.equal(isAbandoned(both), true, 'every client has gone');

  q.push(fromClient());
  q.push({ kind: 'reload', reason: 'SIGUSR2', waiters: [] });
  const merged = await q.next();
  assert.ok(merged.kind === 'reload');
  assert.equal(isAbandoned(merged), false, 'a signal merged into it: it runs whoever has gone');
  assert.equal(merged.waiters.length, 1, 'the client that asked still gets its answer');
});
