// Rolling reload: `reload` waits, prints old → new pids; the new workers serve, the old ones
// are gone; an in-flight request on an old worker finishes; a bad new config is refused and
// the old workers keep serving; SIGUSR2 / SIGHUP to the master reload too.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { BOOM_MODULE, SLOW_CONTROLLER } from '../helpers/fixtures.js';
import { getJson, request } from '../helpers/http.js';
import { isAlive, killQuietly } from '../helpers/processes.js';
import type { Project } from '../helpers/project.js';
import { startHttpDaemon } from '../helpers/daemon.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson, workerPids } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 90_000 };

function startWeb(p: Project, config: object = {}): Promise<number> {
  p.writeFile('app/worker/controller/Slow.ts', SLOW_CONTROLLER);
  return startHttpDaemon(p, config);
}

/** Requests on fresh connections until every pid in `expected` has answered. */
async function assertServedBy(port: number, expected: number[]): Promise<void> {
  const seen = new Set<number>();
  await waitFor(`answers from each of ${expected.join(', ')}`, async () => {
    const { pid } = await getJson<{ pid: number }>(port, '/worker/HttpExamples/index');
    assert.ok(expected.includes(pid), `answered by ${pid}, not one of ${expected.join(', ')}`);
    seen.add(pid);
    return seen.size === expected.length;
  });
}

test('reload prints old → new pids; the new pids serve, the old ones are gone', TIMEOUT, scenario(async (p) => {
  const port = await startWeb(p);
  const before = await statusJson(p, 'web');
  const oldPids = new Map(before.workers.map((w) => [w.id, w.pid!]));

  const reload = await runCli(p, ['web', 'reload']);
  assert.equal(reload.code, 0, show(reload));
  assert.match(reload.stdout, /^web reloaded in \d+ ms\b.*\(generation 2\)$/m, show(reload));
  const pairs = [...reload.stdout.matchAll(/worker (\d+): (\d+) → (\d+)/g)].map((m) => ({ id: Number(m[1]), oldPid: Number(m[2]), newPid: Number(m[3]) }));
  assert.deepEqual(pairs.map((x) => x.id).sort(), [1, 2], show(reload));
  for (const { id, oldPid, newPid } of pairs) {
    assert.equal(oldPid, oldPids.get(id), `worker ${id}'s old pid`);
    assert.notEqual(newPid, oldPid);
    assert.equal(isAlive(oldPid), false, `old worker ${oldPid} gone once reload returned`);
  }
  const newPids = pairs.map((x) => x.newPid);
  p.track(...newPids);

  const after = await statusJson(p, 'web');
  assert.equal(after.state, 'running');
  assert.equal(after.generation, 2);
  assert.equal(after.master.pid, before.master.pid, 'same master');
  assert.deepEqual(workerPids(after).sort(), [...newPids].sort(), 'status shows the new pids only');
  assert.ok(after.workers.every((w) => w.generation === 2 && w.state === 'ready'), JSON.stringify(after.workers));
  assert.deepEqual(after.exits, [], 'a reload is not a crash');
  await assertServedBy(port, newPids);
}));

test('a request in flight on an old worker during a reload finishes', TIMEOUT, scenario(async (p) => {
  const port = await startWeb(p, { count: 1 });
  const before = await statusJson(p, 'web');
  const oldPid = workerPids(before)[0]!;
  const held = request(port, '/worker/Slow/hold?id=r', { timeoutMs: 60_000 });
  held.catch(() => undefined);
  await waitFor('the slow request to reach its action', () => p.exists('held-r'));

  const reload = runCli(p, ['web', 'reload']);
  await waitFor('the old worker to be draining', async () => {
    const s = await statusJson(p, 'web');
    return s.workers.some((w) => w.pid === oldPid && w.state === 'stopping') && s.workers.some((w) => w.pid !== oldPid && w.state === 'ready');
  });
  // A new connection now reaches the new worker while the old one drains.
  const fresh = await getJson<{ pid: number }>(port, '/worker/HttpExamples/index');
  assert.notEqual(fresh.pid, oldPid, 'the draining worker is out of rotation');

  p.writeFile('release-r', '');
  const answer = await held;
  assert.equal(answer.status, 200, answer.body);
  assert.equal(JSON.parse(answer.body).pid, oldPid);
  const done = await reload;
  assert.equal(done.code, 0, show(done));
  assert.equal(isAlive(oldPid), false);
}));

test('a keep-alive request in flight when its worker starts draining is answered with Connection: close', TIMEOUT, scenario(async (p) => {
  // DESIGN §1: workers "answer in-flight responses with Connection: close" when they drain,
  // so a keep-alive client moves to a live worker instead of idling on the old one.
  const port = await startWeb(p, { count: 1, keepAliveTimeout: 60_000, stopTimeout: 60_000 });
  const oldPid = workerPids(await statusJson(p, 'web'))[0]!;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await request(port, '/worker/HttpExamples/index', { agent });
    assert.equal(first.headers.connection, 'keep-alive', 'a keep-alive connection to begin with');
    const held = request(port, '/worker/Slow/hold?id=k', { agent, timeoutMs: 60_000 });
    held.catch(() => undefined);
    await waitFor('the slow request to reach its action', () => p.exists('held-k'));

    const reload = runCli(p, ['web', 'reload'], { timeoutMs: 60_000 });
    await waitFor('the old worker to be draining', async () => {
      const s = await statusJson(p, 'web');
      return s.workers.some((w) => w.pid === oldPid && w.state === 'stopping');
    });
    p.writeFile('release-k', '');
    const answer = await held;
    assert.equal(answer.status, 200, answer.body);
    assert.equal(JSON.parse(answer.body).pid, oldPid);
    assert.equal(answer.headers.connection, 'close', `the in-flight response of a draining worker: connection: ${answer.headers.connection}`);
    const done = await reload;
    assert.equal(done.code, 0, show(done));
  } finally {
    agent.destroy();
  }
}));

test('reload with a bad config is refused; the old workers keep serving', TIMEOUT, scenario(async (p) => {
  const port = await startWeb(p);
  const before = await statusJson(p, 'web');
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 0 });

  const reload = await runCli(p, ['web', 'reload']);
  assert.equal(reload.code, 1, show(reload));
  assert.match(reload.stderr, /code: DROVER_ERR_RELOAD_FAILED/, show(reload));
  assert.match(reload.stderr, /"count" must be an integer >= 1/, show(reload));

  const after = await statusJson(p, 'web');
  assert.deepEqual(workerPids(after), workerPids(before), 'the same workers');
  assert.equal(after.generation, 1);
  await assertServedBy(port, workerPids(before));
}, { allowLog: [/reload failed: the new config was refused, nothing was changed: config\/worker_web\.json: "count" must be an integer >= 1/] }));

test('reload applies a new count; SIGUSR2 and SIGHUP to the master reload too', TIMEOUT, scenario(async (p) => {
  const port = await startWeb(p);
  const before = await statusJson(p, 'web');
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 3 });
  const reload = await runCli(p, ['web', 'reload']);
  assert.equal(reload.code, 0, show(reload));
  const grown = await statusJson(p, 'web');
  assert.equal(grown.workers.length, 3);
  assert.deepEqual(grown.workers.map((w) => w.id), [1, 2, 3]);
  for (const pid of workerPids(before)) assert.equal(isAlive(pid), false, `old worker ${pid} gone`);

  let generation = grown.generation;
  for (const signal of ['SIGUSR2', 'SIGHUP'] as const) {
    const previous = workerPids(await statusJson(p, 'web'));
    killQuietly(before.master.pid, signal);
    const next = await waitFor(`a reload after ${signal}`, async () => {
      const s = await statusJson(p, 'web');
      return s.generation === generation + 1 && s.state === 'running' && s.workers.every((w) => w.generation === generation + 1) ? s : null;
    });
    generation += 1;
    assert.equal(next.master.pid, before.master.pid, `${signal} did not kill the master`);
    assert.equal(next.workers.length, 3);
    for (const pid of previous) await waitFor(`old worker ${pid} gone after ${signal}`, () => !isAlive(pid));
    await assertServedBy(port, workerPids(next));
  }
}));

test('a replacement that fails to boot stops the rollout; the old workers keep serving', TIMEOUT, scenario(async (p) => {
  p.writeFile('app/boom/Boom.ts', BOOM_MODULE);
  const port = await startWeb(p);
  const before = await statusJson(p, 'web');
  p.writeFile('boom-marker', '');

  const reload = await runCli(p, ['web', 'reload']);
  assert.equal(reload.code, 1, show(reload));
  assert.match(reload.stderr, /code: DROVER_ERR_RELOAD_FAILED/, show(reload));
  assert.match(reload.stderr, /boom: the marker file exists/, show(reload));
  for (const pid of p.read('boot-attempts').trim().split('\n').map(Number)) {
    await waitFor(`the failed replacement ${pid} to be gone`, () => !isAlive(pid));
  }

  const after = await statusJson(p, 'web');
  assert.deepEqual(workerPids(after), workerPids(before), 'the same workers');
  assert.equal(after.generation, 1, 'rolled back to the running generation');
  assert.ok(after.state === 'running', `state ${after.state}`);
  assert.match(after.lastError ?? '', /boom/, 'status says why the reload failed');
  await assertServedBy(port, workerPids(before));

  // Fixed: the next reload goes through.
  fs.rmSync(p.file('boom-marker'));
  const again = await runCli(p, ['web', 'reload']);
  assert.equal(again.code, 0, show(again));
  assert.equal((await statusJson(p, 'web')).generation, 2);
}, { allowLog: [/boot failed: onWorkerStart of module "boom" threw: boom: the marker file exists/, /Error: boom: the marker file exists$/, /^\s+at /, /reload failed: worker \d+ \(pid \d+\) failed to boot: onWorkerStart of module "boom"/] }));
