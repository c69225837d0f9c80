// start -d → status (table and --json) → real requests → stop → status says "not running".
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { request } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { isAlive } from '../helpers/processes.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson, workerPids } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 90_000 };

test('start -d, status, requests, stop, status after stop', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  const listen = `http://127.0.0.1:${port}`;
  p.writeConfig('web', { listen, count: 2 });
  const files = p.service('web');

  const started = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(started.code, 0, `start -d failed${show(started)}`);
  assert.match(started.stdout, /GLOBAL STATUS/, show(started));
  assert.match(started.stdout, /web started in the background/, show(started));
  assert.ok(fs.existsSync(files.pidfile), 'pidfile written');
  assert.ok(fs.existsSync(files.lock), 'pidfile lock held');
  assert.ok(fs.existsSync(files.socket), 'control socket listening');
  const masterPid = p.pidOf('web')!;
  assert.ok(isAlive(masterPid), `master pid ${masterPid} from the pidfile is alive`);

  // --json: every field of DESIGN §7.
  const before = await statusJson(p, 'web');
  assert.equal(before.service, 'web');
  assert.equal(before.kind, 'http');
  assert.equal(before.state, 'running');
  assert.deepEqual(before.listen, [listen]);
  assert.equal(before.generation, 1);
  assert.equal(before.master.pid, masterPid);
  assert.ok(!Number.isNaN(Date.parse(before.master.startedAt)), `master.startedAt is a date: ${before.master.startedAt}`);
  assert.ok(before.master.rss > 0, 'master.rss in bytes');
  assert.equal(before.master.node, process.version);
  assert.equal(typeof before.master.version, 'string');
  assert.deepEqual(before.exits, []);
  assert.equal(before.lastError, null);
  assert.equal(before.workers.length, 2);
  assert.deepEqual(before.workers.map((w) => w.id), [1, 2]);
  for (const w of before.workers) {
    assert.equal(w.role, 'http');
    assert.equal(typeof w.pid, 'number');
    assert.ok(isAlive(w.pid!), `worker ${w.id} pid ${w.pid} is alive`);
    assert.notEqual(w.pid, masterPid);
    assert.equal(w.state, 'ready');
    assert.equal(w.busy, false);
    assert.equal(w.generation, 1);
    assert.equal(w.restarts, 0);
    assert.equal(w.requests, 0);
    assert.ok(w.rss > 0 && w.heapUsed > 0, `memory in bytes: ${JSON.stringify(w)}`);
    for (const key of ['rps', 'inflight', 'connections', 'elu', 'uptimeMs'] as const) {
      assert.equal(typeof w[key], 'number', `workers[].${key} is a number: ${JSON.stringify(w)}`);
    }
    assert.equal(w.lastError, null);
  }
  assert.equal(new Set(workerPids(before)).size, 2, 'two distinct worker pids');

  // The table: global section, one row per worker, a summary row.
  const table = await runCli(p, ['web', 'status']);
  assert.equal(table.code, 0, show(table));
  assert.match(table.stdout, /GLOBAL STATUS/, show(table));
  assert.match(table.stdout, /PROCESS STATUS/, show(table));
  assert.match(table.stdout, /state running/, show(table));
  assert.match(table.stdout, new RegExp(`master pid ${masterPid}\\b`), show(table));
  assert.ok(table.stdout.includes(listen), show(table));
  for (const pid of workerPids(before)) assert.match(table.stdout, new RegExp(`^\\d+\\s+http\\s+${pid}\\s+ready\\b`, 'm'), show(table));
  assert.match(table.stdout, /^Σ/m, show(table));

  // Real requests are counted, exactly.
  const N = 40;
  for (let i = 0; i < N; i++) {
    const r = await request(port, '/worker/HttpExamples/index');
    assert.equal(r.status, 200, r.body);
  }
  const after = await statusJson(p, 'web');
  const total = after.workers.reduce((sum, w) => sum + w.requests, 0);
  assert.equal(total, N, `requests per worker: ${after.workers.map((w) => w.requests).join(', ')}`);
  assert.ok(after.workers.every((w) => w.requests > 0), `both workers served (round robin): ${after.workers.map((w) => w.requests).join(', ')}`);

  // stop: graceful, returns once the master is gone and its files are removed.
  const stopped = await runCli(p, ['web', 'stop']);
  assert.equal(stopped.code, 0, show(stopped));
  assert.match(stopped.stdout, new RegExp(`web stopped \\(master pid ${masterPid}\\)`), show(stopped));
  assert.equal(isAlive(masterPid), false, `master ${masterPid} gone once stop returned`);
  assert.equal(fs.existsSync(files.pidfile), false, 'pidfile removed');
  assert.equal(fs.existsSync(files.lock), false, 'lock removed');
  assert.equal(fs.existsSync(files.socket), false, 'socket removed');
  for (const pid of workerPids(after)) await waitFor(`worker ${pid} to be gone`, () => !isAlive(pid));

  const status = await runCli(p, ['web', 'status']);
  assert.equal(status.code, 3, show(status));
  assert.match(status.stderr, /code: DROVER_ERR_NOT_RUNNING/, show(status));
  const json = await runCli(p, ['web', 'status', '--json']);
  assert.equal(json.code, 3, show(json));
  assert.equal(JSON.parse(json.stdout).state, 'stopped', show(json));

  // A second stop has nothing to do, and says so.
  const again = await runCli(p, ['web', 'stop']);
  assert.equal(again.code, 0, show(again));
  assert.match(again.stderr, /not running/, show(again));
}));

test('rps is above 0 in a status taken right after a burst of requests', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 1 });
  const started = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(started.code, 0, show(started));

  // A short burst at the start of a wall-clock second, then status at once: DESIGN §7 wants
  // rps "over a recent window (so a one-shot `status` is not 0 under load)".
  await waitFor('the start of a new second', () => Date.now() % 1000 < 300, { intervalMs: 5, timeoutMs: 5000 });
  for (let i = 0; i < 20; i++) assert.equal((await request(port, '/worker/HttpExamples/index')).status, 200);
  const status = await statusJson(p, 'web');
  assert.equal(status.workers[0]!.requests, 20);
  assert.ok(status.workers[0]!.rps > 0, `rps right after 20 requests: ${JSON.stringify(status.workers[0])}`);
}));

test('rps is above 0 while load runs across seconds', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 1 });
  const started = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(started.code, 0, show(started));

  // Load that spans a whole wall-clock second boundary, then status.
  const firstSecond = Math.floor(Date.now() / 1000);
  let sent = 0;
  while (Math.floor(Date.now() / 1000) < firstSecond + 2) {
    assert.equal((await request(port, '/worker/HttpExamples/index')).status, 200);
    sent += 1;
  }
  const status = await statusJson(p, 'web');
  assert.equal(status.workers[0]!.requests, sent);
  assert.ok(status.workers[0]!.rps > 0, `rps after ${sent} requests over 1-2 s: ${JSON.stringify(status.workers[0])}`);
}));
