// `all` fans a command out to every config/worker_<name>.* service; `connections` lists the
// open connections of every worker.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { TICKER_HANDLER } from '../helpers/fixtures.js';
import { startForeground } from '../helpers/foreground.js';
import { request } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { isAlive } from '../helpers/processes.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson, trackStatus, workerPids, type ServiceStatus } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 90_000 };

test('all start -d / all status / all stop act on every configured service', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 1 });
  p.writeFile('handlers/ticker.js', TICKER_HANDLER);
  p.writeConfig('ticker', { handler: 'handlers/ticker.js', count: 2 }, 'js');

  // Only one of them running: `all status` reports both, exit 3 (one is not running).
  const one = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(one.code, 0, show(one));
  const partial = await runCli(p, ['all', 'status', '--json']);
  assert.equal(partial.code, 3, show(partial));
  const partialJson = JSON.parse(partial.stdout) as Array<Partial<ServiceStatus>>;
  assert.deepEqual(partialJson.map((s) => [s.service, s.state]), [['ticker', 'stopped'], ['web', 'running']], show(partial));

  const started = await runCli(p, ['all', 'start', '-d']);
  p.track(p.pidOf('web'), p.pidOf('ticker'));
  assert.equal(started.code, 1, `web is already running: all start -d reports it${show(started)}`);
  assert.match(started.stderr, /DROVER_ERR_ALREADY_RUNNING/, show(started));
  assert.match(started.stdout, /ticker started in the background/, `and starts the rest${show(started)}`);

  const all = await runCli(p, ['all', 'status', '--json']);
  assert.equal(all.code, 0, show(all));
  const statuses = JSON.parse(all.stdout) as ServiceStatus[];
  statuses.forEach((s) => trackStatus(p, s));
  assert.deepEqual(statuses.map((s) => [s.service, s.kind, s.state]), [['ticker', 'custom', 'running'], ['web', 'http', 'running']]);
  const masters = statuses.map((s) => s.master.pid);
  const workers = statuses.flatMap(workerPids);
  assert.equal(workers.length, 3);

  const table = await runCli(p, ['all', 'status']);
  assert.equal(table.code, 0, show(table));
  assert.match(table.stdout, /service ticker \(custom\)/, show(table));
  assert.match(table.stdout, /service web \(http\)/, show(table));

  const stopped = await runCli(p, ['all', 'stop']);
  assert.equal(stopped.code, 0, show(stopped));
  assert.match(stopped.stdout, new RegExp(`ticker stopped \\(master pid ${masters[0]}\\)`), show(stopped));
  assert.match(stopped.stdout, new RegExp(`web stopped \\(master pid ${masters[1]}\\)`), show(stopped));
  for (const pid of masters) assert.equal(isAlive(pid), false, `master ${pid} gone`);
  for (const pid of workers) await waitFor(`worker ${pid} gone`, () => !isAlive(pid));
  assert.equal(p.pidOf('web'), null);
  assert.equal(p.pidOf('ticker'), null);

  const after = await runCli(p, ['all', 'status', '--json']);
  assert.equal(after.code, 3, show(after));
  assert.deepEqual(JSON.parse(after.stdout), [{ service: 'ticker', state: 'stopped' }, { service: 'web', state: 'stopped' }]);
  const plain = await runCli(p, ['all', 'status']);
  assert.equal(plain.code, 3, show(plain));
  assert.equal((plain.stderr.match(/DROVER_ERR_NOT_RUNNING/g) ?? []).length, 2, show(plain));
}));

test('all start in the foreground runs every service; SIGTERM stops them all', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 1 });
  p.writeFile('handlers/ticker.js', TICKER_HANDLER);
  p.writeConfig('ticker', { handler: 'handlers/ticker.js', count: 1 });
  const fg = await startForeground(p, 'all', { waitForRunning: false });
  await fg.waitForOutput(/ticker running: /);
  await fg.waitForOutput(/web running: /);
  p.track(p.pidOf('web'), p.pidOf('ticker'));
  const all = await runCli(p, ['all', 'status', '--json']);
  assert.equal(all.code, 0, show(all));
  const statuses = JSON.parse(all.stdout) as ServiceStatus[];
  statuses.forEach((s) => trackStatus(p, s));
  assert.deepEqual(statuses.map((s) => s.state), ['running', 'running']);
  assert.equal((await request(port, '/worker/HttpExamples/index')).status, 200);

  fg.kill('SIGTERM');
  const exit = await fg.waitForExit();
  assert.equal(exit.code, 0, fg.output());
  for (const s of statuses) {
    assert.equal(isAlive(s.master.pid), false, `${s.service} master gone`);
    for (const pid of workerPids(s)) await waitFor(`${s.service} worker ${pid} gone`, () => !isAlive(pid));
  }
  assert.equal(p.pidOf('web'), null);
  assert.equal(p.pidOf('ticker'), null);
}));

test('all with no configured service: DROVER_ERR_CONFIG_NOT_FOUND', TIMEOUT, scenario(async (p) => {
  const r = await runCli(p, ['all', 'status']);
  assert.equal(r.code, 1, show(r));
  assert.match(r.stderr, /code: DROVER_ERR_CONFIG_NOT_FOUND/, show(r));
}, { app: false }));

test('connections --json lists an open keep-alive connection, until it closes', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2, keepAliveTimeout: 60_000 });
  const started = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(started.code, 0, show(started));
  const status = await statusJson(p, 'web');

  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await request(port, '/worker/HttpExamples/index', { agent });
    const second = await request(port, '/worker/HttpExamples/index', { agent });
    assert.equal(first.localPort, second.localPort, 'the agent kept its connection');
    const servedBy = JSON.parse(second.body).pid as number;

    const r = await runCli(p, ['web', 'connections', '--json']);
    assert.equal(r.code, 0, show(r));
    const json = JSON.parse(r.stdout) as { service: string; workers: Array<{ id: number; pid: number; busy: boolean; connections: Array<{ remoteAddress: string; remotePort: number; ageMs: number; requests: number }> }> };
    assert.equal(json.service, 'web');
    assert.deepEqual(json.workers.map((w) => w.pid).sort(), workerPids(status).sort());
    const owner = json.workers.find((w) => w.connections.some((c) => c.remotePort === first.localPort));
    assert.ok(owner, `our connection (local port ${first.localPort}) is listed${show(r)}`);
    assert.equal(owner.pid, servedBy);
    assert.equal(owner.busy, false);
    const conn = owner.connections.find((c) => c.remotePort === first.localPort)!;
    assert.equal(conn.remoteAddress, '127.0.0.1');
    assert.equal(conn.requests, 2);
    assert.equal(typeof conn.ageMs, 'number');

    const table = await runCli(p, ['web', 'connections']);
    assert.equal(table.code, 0, show(table));
    assert.ok(table.stdout.includes(`127.0.0.1:${first.localPort}`), show(table));
    assert.match(table.stdout, /web: [1-9]\d* open connections/, show(table));

    agent.destroy();
    await waitFor('the closed connection to leave the list', async () => {
      const again = await runCli(p, ['web', 'connections', '--json']);
      const list = JSON.parse(again.stdout) as typeof json;
      return !list.workers.some((w) => w.connections.some((c) => c.remotePort === first.localPort));
    });
  } finally {
    agent.destroy();
  }
}));
