// The ways to stop: `stop` (graceful, SIGKILL after stopTimeout), `stop -g` (no deadline),
// `stop --force`, SIGTERM to a daemon master, `stop` of a foreground master, `restart -d`.
// And SIGUSR1, which must neither kill the master nor open its inspector.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { SLOW_CONTROLLER } from '../helpers/fixtures.js';
import { startForeground } from '../helpers/foreground.js';
import { getJson, request, type HttpResult } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { isAlive, killQuietly, pidsUnder } from '../helpers/processes.js';
import type { Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson, workerPids } from '../helpers/status.js';
import { delay, waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 90_000 };

async function startDaemon(p: Project, config: object = {}): Promise<{ port: number; master: number; workers: number[] }> {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2, ...config });
  p.writeFile('app/worker/controller/Slow.ts', SLOW_CONTROLLER);
  const started = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(started.code, 0, show(started));
  const status = await statusJson(p, 'web');
  return { port, master: status.master.pid, workers: workerPids(status) };
}

/** Starts a request that the Slow controller holds until release-<id> exists. */
async function hold(p: Project, port: number, id: string): Promise<{ outcome: Promise<{ ok: true; r: HttpResult } | { ok: false; error: Error }> }> {
  const held = request(port, `/worker/Slow/hold?id=${id}`, { timeoutMs: 60_000 }).then(
    (r) => ({ ok: true as const, r }),
    (error: Error) => ({ ok: false as const, error }),
  );
  await waitFor('the slow request to reach its action', () => p.exists(`held-${id}`));
  return { outcome: held }; // wrapped: an async function would wait for the promise it returns
}

async function assertStopped(p: Project, master: number, workers: number[]): Promise<void> {
  await waitFor(`master ${master} gone`, () => !isAlive(master));
  for (const pid of workers) await waitFor(`worker ${pid} gone`, () => !isAlive(pid));
  await waitFor('nothing left running in the project', () => pidsUnder(p.root).length === 0);
  assert.equal(p.pidOf('web'), null, 'pidfile removed');
}

test('stop kills a worker still busy after stopTimeout, and returns 0', TIMEOUT, scenario(async (p) => {
  const { port, master, workers } = await startDaemon(p, { stopTimeout: 300 });
  const held = await hold(p, port, 's');
  const stopped = await runCli(p, ['web', 'stop']);
  assert.equal(stopped.code, 0, show(stopped));
  const outcome = await held.outcome;
  assert.equal(outcome.ok, false, `the held request was cut at stopTimeout: ${JSON.stringify(outcome)}`);
  assert.match(p.read('logs/web.log'), /still draining after 300 ms\b.*SIGKILL/);
  await assertStopped(p, master, workers);
}, { allowLog: [/still draining after \d+ ms \(\d+ requests in flight\): SIGKILL$/] }));

test('stop -g waits for an in-flight request with no deadline', TIMEOUT, scenario(async (p) => {
  const { port, master, workers } = await startDaemon(p, { stopTimeout: 200 });
  const held = await hold(p, port, 'g');
  const stopping = runCli(p, ['web', 'stop', '-g']);
  await waitFor('the master to start stopping', () => /stopping 2 workers \(wait/.test(p.read('logs/web.log')));
  // Absence of a kill can only be watched: give it five times stopTimeout.
  await delay(1000);
  assert.ok(isAlive(master), 'the master still waits');
  p.writeFile('release-g', '');
  const outcome = await held.outcome;
  assert.ok(outcome.ok && outcome.r.status === 200, `the held request finished: ${JSON.stringify(outcome)}`);
  const stopped = await stopping;
  assert.equal(stopped.code, 0, show(stopped));
  assert.doesNotMatch(p.read('logs/web.log'), /SIGKILL/);
  await assertStopped(p, master, workers);
}));

test('stop --force cuts in-flight requests at once', TIMEOUT, scenario(async (p) => {
  const { port, master, workers } = await startDaemon(p, { stopTimeout: 60_000 });
  const held = await hold(p, port, 'f');
  const stopped = await runCli(p, ['web', 'stop', '--force']);
  assert.equal(stopped.code, 0, show(stopped));
  const outcome = await held.outcome;
  assert.equal(outcome.ok, false, `the held request was cut: ${JSON.stringify(outcome)}`);
  await assertStopped(p, master, workers);
}));

test('SIGTERM to a daemon master is a graceful stop', TIMEOUT, scenario(async (p) => {
  const { port, master, workers } = await startDaemon(p, { stopTimeout: 60_000 });
  const held = await hold(p, port, 't');
  killQuietly(master, 'SIGTERM');
  await waitFor('the master to start stopping', () => /stopping 2 workers \(graceful, SIGTERM\)/.test(p.read('logs/web.log')));
  p.writeFile('release-t', '');
  const outcome = await held.outcome;
  assert.ok(outcome.ok && outcome.r.status === 200, `the held request finished: ${JSON.stringify(outcome)}`);
  await assertStopped(p, master, workers);
  assert.match(p.read('logs/web.log'), /stopped/);
}));

test('SIGUSR1 neither stops the master nor opens its inspector', TIMEOUT, scenario(async (p) => {
  const { port, master, workers } = await startDaemon(p);
  killQuietly(master, 'SIGUSR1');
  await waitFor('the master to log SIGUSR1', () => /log reopened \(SIGUSR1\)/.test(p.read('logs/web.log')));
  assert.doesNotMatch(p.read('logs/web.log'), /Debugger listening/);
  const status = await statusJson(p, 'web');
  assert.equal(status.master.pid, master);
  assert.deepEqual(workerPids(status), workers);
  await getJson(port, '/worker/HttpExamples/index');
}));

test('stop from the CLI ends a foreground master with exit 0', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 1 });
  const fg = await startForeground(p, 'web');
  const stopped = await runCli(p, ['web', 'stop']);
  assert.equal(stopped.code, 0, show(stopped));
  assert.match(stopped.stdout, new RegExp(`web stopped \\(master pid ${fg.pid}\\)`), show(stopped));
  const exit = await fg.waitForExit();
  assert.deepEqual(exit, { code: 0, signal: null }, fg.output());
  assert.equal(p.pidOf('web'), null);
}));

test('restart -d: a new master and new workers serve', TIMEOUT, scenario(async (p) => {
  const { port, master, workers } = await startDaemon(p);
  const r = await runCli(p, ['web', 'restart', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(r.code, 0, show(r));
  assert.match(r.stdout, new RegExp(`web stopped \\(master pid ${master}\\)`), show(r));
  assert.match(r.stdout, /web started in the background/, show(r));
  assert.equal(isAlive(master), false);
  const status = await statusJson(p, 'web');
  assert.notEqual(status.master.pid, master);
  assert.equal(status.state, 'running');
  for (const pid of workers) assert.ok(!workerPids(status).includes(pid));
  const { pid } = await getJson<{ pid: number }>(port, '/worker/HttpExamples/index');
  assert.ok(workerPids(status).includes(pid));

  // restart of a service that is not running just starts it.
  const stopped = await runCli(p, ['web', 'stop']);
  assert.equal(stopped.code, 0, show(stopped));
  const again = await runCli(p, ['web', 'restart', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(again.code, 0, show(again));
  assert.match(again.stdout, /web was not running/, show(again));
}));
