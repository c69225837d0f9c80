// A worker whose event loop is blocked keeps its status row, marked busy; past hungTimeout it
// is replaced. A worker that served maxRequests is recycled the rolling way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { BUSY_CONTROLLER } from '../helpers/fixtures.js';
import { getJson, request } from '../helpers/http.js';
import { isAlive } from '../helpers/processes.js';
import type { Project } from '../helpers/project.js';
import { startHttpDaemon } from '../helpers/daemon.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson, workerPids } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 90_000 };

function startWeb(p: Project, config: object = {}): Promise<number> {
  p.writeFile('app/worker/controller/Busy.ts', BUSY_CONTROLLER);
  return startHttpDaemon(p, config);
}

async function spinOne(p: Project, port: number, workers: number[]): Promise<number> {
  request(port, '/worker/Busy/spin', { timeoutMs: 120_000 }).catch(() => undefined);
  return waitFor('a worker to start spinning', () => workers.find((pid) => p.exists(`spinning-${pid}`)));
}

test('a blocked worker keeps its row with busy: true; stop still ends it', TIMEOUT, scenario(async (p) => {
  const port = await startWeb(p, { hungTimeout: 0, stopTimeout: 500 });
  const workers = workerPids(await statusJson(p, 'web'));
  const busy = await spinOne(p, port, workers);

  const status = await statusJson(p, 'web');
  assert.deepEqual(workerPids(status), workers, 'every row kept, same pids');
  const row = status.workers.find((w) => w.pid === busy)!;
  const other = status.workers.find((w) => w.pid !== busy)!;
  assert.equal(row.busy, true, JSON.stringify(row));
  assert.equal(other.busy, false, JSON.stringify(other));
  const table = await runCli(p, ['web', 'status']);
  assert.equal(table.code, 0, show(table));
  assert.match(table.stdout, new RegExp(`\\b${busy}\\s+ready \\[busy\\]`), show(table));

  // The other worker still serves.
  const { pid } = await getJson<{ pid: number }>(port, '/worker/HttpExamples/index');
  assert.equal(pid, other.pid);

  const stopped = await runCli(p, ['web', 'stop']);
  assert.equal(stopped.code, 0, show(stopped));
  for (const w of workers) await waitFor(`worker ${w} gone`, () => !isAlive(w));
}, { allowLog: [/still draining after \d+ ms \(\d+ requests in flight\): SIGKILL$/] }));

test('a worker blocked past hungTimeout is replaced in its slot', TIMEOUT, scenario(async (p) => {
  const port = await startWeb(p, { hungTimeout: 1500 });
  const before = await statusJson(p, 'web');
  const busy = await spinOne(p, port, workerPids(before));
  const slotId = before.workers.find((w) => w.pid === busy)!.id;

  const after = await waitFor(`slot ${slotId} to hold a new ready worker`, async () => {
    const s = await statusJson(p, 'web');
    const row = s.workers.find((w) => w.id === slotId);
    return row && row.pid !== busy && row.state === 'ready' && !s.workers.some((w) => w.pid === busy) ? s : null;
  });
  await waitFor(`the hung worker ${busy} to be killed`, () => !isAlive(busy));
  const row = after.workers.find((w) => w.id === slotId)!;
  assert.equal(row.restarts, 1);
  assert.equal(after.state, 'running');
  await waitFor(`a request served by the replacement ${row.pid}`, async () => (await getJson<{ pid: number }>(port, '/worker/HttpExamples/index')).pid === row.pid);
}));

test('maxRequests recycles a worker without failing a request', TIMEOUT, scenario(async (p) => {
  const port = await startWeb(p, { count: 1, maxRequests: 5 });
  const first = workerPids(await statusJson(p, 'web'))[0]!;
  const servedBy: number[] = [];
  for (let i = 0; i < 12; i++) {
    const r = await request(port, '/worker/HttpExamples/index');
    assert.equal(r.status, 200, `request ${i + 1}: ${r.status} ${r.body}`);
    servedBy.push(JSON.parse(r.body).pid);
  }
  assert.deepEqual(servedBy.slice(0, 5), [first, first, first, first, first], `the first 5 by the first worker: ${servedBy}`);
  await waitFor(`the first worker ${first} to be recycled`, () => !isAlive(first));
  const status = await statusJson(p, 'web');
  assert.notEqual(workerPids(status)[0], first);
  assert.ok(status.workers[0]!.restarts >= 1, JSON.stringify(status.workers[0]));
  assert.deepEqual(status.exits, [], 'a recycle is not a crash');
}));
