// The metrics listener on real masters: scrapes that Prometheus' own promtool accepts, counters
// that never go down across a reload and a worker crash, a busy worker that cannot stall a
// scrape, the WebSocket figures, and a start refused when the metrics port is taken.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { countingClient } from '../helpers/counting-client.js';
import { startHttpDaemon } from '../helpers/daemon.js';
import { family, httpGet, promtoolCheck, sample, scrape, type Scrape } from '../helpers/metrics.js';
import { PID_APP } from '../helpers/pid-app.js';
import { freePort } from '../helpers/ports.js';
import { isAlive } from '../helpers/processes.js';
import type { Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';
import { TestClient } from '../helpers/ws-client.js';
import { startWs } from '../helpers/ws-service.js';

const TIMEOUT = { timeout: 90_000 };
const web = { service: 'web' };

async function startWithMetrics(p: Project, config: object = {}): Promise<{ port: number; metricsPort: number }> {
  const metricsPort = await freePort();
  p.writeFile('app/pid-app.mjs', PID_APP);
  const port = await startHttpDaemon(p, { app: 'app/pid-app.mjs', metrics: { listen: `127.0.0.1:${metricsPort}` }, ...config });
  return { port, metricsPort };
}

/** At least `n` requests (the client's loops finish the ones under way); resolves with how many were answered. */
async function requests(port: number, n: number): Promise<number> {
  const client = countingClient(`http://127.0.0.1:${port}/`, { keepAlive: true, concurrency: 2 });
  await client.answers(n);
  const r = await client.stop();
  assert.equal(r.failed, 0, JSON.stringify(r.failures));
  return r.ok;
}

/** The first scrape on which `check` holds (the master polls its workers every second). */
async function scrapeUntil(metricsPort: number, what: string, check: (s: Scrape) => boolean): Promise<Scrape> {
  let last: Scrape | null = null;
  try {
    return await waitFor(what, async () => {
      last = await scrape(metricsPort);
      return check(last) ? last : null;
    }, { intervalMs: 100 });
  } catch (error) {
    const samples = (last as Scrape | null)?.text.split('\n').filter((l) => !l.startsWith('#')).join('\n');
    throw new Error(`${(error as Error).message}\nlast scrape:\n${samples}`);
  }
}

async function assertPromtoolAccepts(s: Scrape): Promise<void> {
  assert.equal(s.status, 200);
  assert.match(s.contentType, /^text\/plain; version=0\.0\.4/);
  const check = await promtoolCheck(s.text);
  assert.equal(check.code, 0, `promtool check metrics:\n${check.output}\n--- scrape ---\n${s.text}`);
  assert.equal(check.output.trim(), '', `promtool has remarks:\n${check.output}`);
}

const total = (s: Scrape) => sample(s, 'drover_requests_total', web) ?? -1;
const perWorker = (s: Scrape, id: number) => sample(s, 'drover_worker_requests_total', { ...web, worker: id, role: 'http' }) ?? -1;

test('scrapes pass promtool; request counters never go down across a reload and a worker crash', TIMEOUT, scenario(async (p) => {
  const { port, metricsPort } = await startWithMetrics(p);
  let served = await requests(port, 50);
  let s = await scrapeUntil(metricsPort, 'the first requests counted', (x) => total(x) === served);
  await assertPromtoolAccepts(s);
  const before = [perWorker(s, 1), perWorker(s, 2)];
  assert.equal(before[0]! + before[1]!, served);

  const reloaded = await runCli(p, ['web', 'reload'], { timeoutMs: 60_000 });
  assert.equal(reloaded.code, 0, show(reloaded));
  s = await scrape(metricsPort);
  assert.ok(total(s) >= served && perWorker(s, 1) >= before[0]! && perWorker(s, 2) >= before[1]!, `after the reload:\n${s.text}`);
  assert.equal(sample(s, 'drover_reloads_total', { ...web, result: 'ok' }), 1);
  assert.equal(sample(s, 'drover_reload_duration_seconds_count', web), 1);
  served += await requests(port, 20);
  s = await scrapeUntil(metricsPort, 'every request counted after the reload', (x) => total(x) === served);
  const afterReload = [perWorker(s, 1), perWorker(s, 2)];
  assert.ok(afterReload[0]! >= before[0]! && afterReload[1]! >= before[1]!, s.text);

  // A crash: SIGKILL worker 1. Its slot keeps what it counted, the new process adds to it.
  const status = await statusJson(p, 'web');
  const victim = status.workers.find((w) => w.id === 1)!.pid!;
  const survivor = status.workers.find((w) => w.id === 2)!.pid!;
  process.kill(victim, 'SIGKILL');
  s = await scrapeUntil(metricsPort, 'the respawn of worker 1', (x) => sample(x, 'drover_worker_restarts_total', { ...web, worker: 1, role: 'http' }) === 1 && sample(x, 'drover_workers_ready', { ...web, role: 'http' }) === 2);
  assert.equal(total(s), served, s.text);
  assert.equal(perWorker(s, 1), afterReload[0], 'worker 1 kept its count across the crash');
  assert.equal(sample(s, 'drover_worker_exits_total', { ...web, code: '', signal: 'SIGKILL' }), 1);
  assert.equal(sample(s, 'drover_restarts_total', web), 1);
  assert.ok(isAlive(survivor), 'worker 2 was not touched');
  served += await requests(port, 30);
  s = await scrapeUntil(metricsPort, 'every request counted after the crash', (x) => total(x) === served);
  assert.ok(perWorker(s, 1) >= afterReload[0]! && perWorker(s, 2) >= afterReload[1]!, s.text);
  await assertPromtoolAccepts(s);
}, { allowLog: [/worker \d+ \(pid \d+\) exited unexpectedly \(SIGKILL\)/] }));

test('a worker with a blocked event loop: scrapes answer meanwhile, with its last figures, its staleness and busy=1', TIMEOUT, scenario(async (p) => {
  const { port, metricsPort } = await startWithMetrics(p, { count: 1, hungTimeout: 0 });
  const served = await requests(port, 5);
  const idle = await scrapeUntil(metricsPort, 'the requests counted', (x) => total(x) === served);
  const w1 = { ...web, worker: 1, role: 'http' };
  const rss = sample(idle, 'drover_worker_resident_memory_bytes', w1)!;
  assert.ok(rss > 0);

  let blockAnswered = false;
  const block = httpGet(port, '/block?ms=8000').then((r) => ((blockAnswered = true), r));
  const busy = await scrapeUntil(metricsPort, 'worker 1 shown busy', (x) => sample(x, 'drover_worker_busy', w1) === 1);
  assert.equal(blockAnswered, false, 'the scrape came back while the worker was still blocked');
  assert.ok(sample(busy, 'drover_worker_stats_age_seconds', w1)! > 3, busy.text);
  assert.ok(sample(busy, 'drover_worker_resident_memory_bytes', w1)! > 0, 'its last known memory is shown');
  assert.equal(total(busy), served, 'its last known count is shown');
  await assertPromtoolAccepts(busy);
  // The live page's data answers too.
  const live = JSON.parse((await httpGet(metricsPort, '/live.json')).body) as { workers: Array<{ busy: boolean; staleSeconds: number }> };
  assert.equal(blockAnswered, false);
  assert.equal(live.workers[0]!.busy, true);

  assert.equal((await block).status, 200);
  const recovered = await scrapeUntil(metricsPort, 'worker 1 answering again', (x) => sample(x, 'drover_worker_busy', w1) === 0 && total(x) === served + 1);
  assert.ok(sample(recovered, 'drover_worker_stats_age_seconds', w1)! < 3);
  assert.equal(sample(recovered, 'drover_restarts_total', web), 0, 'not recycled (hungTimeout 0)');
}));

test('WebSocket: clients, groups and messages in and out per gateway and per service; promtool accepts it', TIMEOUT, scenario(async (p) => {
  const metricsPort = await freePort();
  const { port } = await startWs(p, { metrics: { listen: metricsPort } });
  const clients = await Promise.all([TestClient.connect(port), TestClient.connect(port), TestClient.connect(port)]);
  try {
    for (const c of clients) await c.whoami();
    await clients[0]!.call('worker/WsTest/push', { op: 'joinGroup', args: [clients[0]!.id, 'room'] });
    const ws = { service: 'ws' };
    const s = await scrapeUntil(metricsPort, 'three clients, one group, four messages each way', (x) =>
      sample(x, 'drover_ws_clients', ws) === 3 && sample(x, 'drover_ws_groups', ws) === 1 &&
      sample(x, 'drover_ws_messages_received_total', ws) === 4 && sample(x, 'drover_ws_messages_sent_total', ws) === 4 &&
      sample(x, 'drover_requests_total', ws) === 4);
    const perGateway = [...family(s, 'drover_worker_ws_clients').values()];
    assert.equal(perGateway.length, 2, 'one series per gateway');
    assert.equal(perGateway.reduce((a, b) => a + b, 0), 3);
    assert.equal(sample(s, 'drover_workers', { ...ws, role: 'gateway' }), 2);
    assert.equal(sample(s, 'drover_workers', { ...ws, role: 'business' }), 2);
    await assertPromtoolAccepts(s);
  } finally {
    for (const c of clients) c.ws.terminate();
  }
}));

test('the listener: 404 elsewhere, 405 for POST, 400 for garbage; a taken metrics port refuses the start and leaves nothing running', TIMEOUT, scenario(async (p) => {
  const { metricsPort } = await startWithMetrics(p, { count: 1 });
  assert.equal((await httpGet(metricsPort, '/nope')).status, 404);
  const post = await new Promise<number>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: metricsPort, method: 'POST', path: '/metrics' }, (res) => (res.resume(), resolve(res.statusCode ?? 0)));
    req.on('error', reject);
    req.end('x');
  });
  assert.equal(post, 405);
  // Bytes that are not HTTP get a 400 from node's parser; the master keeps serving.
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(metricsPort, '127.0.0.1', () => socket.end('\x00\xffGARBAGE /\r\n\r\n'));
    let text = '';
    socket.setEncoding('latin1').on('data', (d: string) => (text += d));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  assert.match(answer, /^HTTP\/1\.1 400/);
  assert.equal((await scrape(metricsPort)).status, 200);

  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  try {
    const taken = (holder.address() as net.AddressInfo).port;
    const appPort = await freePort();
    p.writeConfig('other', { listen: `http://127.0.0.1:${appPort}`, count: 1, app: 'app/pid-app.mjs', metrics: { listen: `127.0.0.1:${taken}` } });
    const r = await runCli(p, ['other', 'start', '-d']);
    const refused = p.pidOf('other');
    p.track(refused);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /DROVER_ERR_PORT_IN_USE/);
    assert.match(r.stderr, /metrics\.listen/);
    await waitFor('the refused master gone, its pidfile and socket removed', () => p.pidOf('other') === null && !p.exists('pidfiles/other.sock') && (refused === null || !isAlive(refused)));
  } finally {
    holder.close();
  }
}, { allowLog: [/^error: cannot listen on http:\/\/127\.0\.0\.1:\d+ \(metrics\.listen\): the address is already in use\.$/] }));
