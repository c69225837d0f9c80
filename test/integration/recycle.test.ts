// Recycling: maxRequests (with jitter) and maxMemory replace a worker the rolling, lossless
// way, under load; a worker whose event loop is stuck is shown busy, then replaced and killed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { BUSY_CONTROLLER } from '../helpers/fixtures.js';
import { request } from '../helpers/http.js';
import { startLoad } from '../helpers/load.js';
import { freePort } from '../helpers/ports.js';
import { isAlive } from '../helpers/processes.js';
import type { Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 120_000 };

/** /worker/Memory/grow?mb=N keeps N more MiB alive in the worker. */
const MEMORY_CONTROLLER = `
const kept = [];
export default class Memory {
  grow(ctx) {
    const mb = Number(ctx.query.get('mb') ?? 64);
    for (let i = 0; i < mb; i++) kept.push(Buffer.alloc(1024 * 1024, 1));
    return { rss: process.memoryUsage.rss(), pid: process.pid };
  }
}
`;

async function startWeb(p: Project, config: object): Promise<number> {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2, ...config });
  const started = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(started.code, 0, show(started));
  return port;
}

test('maxRequests recycles workers under load without a failed request', TIMEOUT, scenario(async (p) => {
  const port = await startWeb(p, { maxRequests: 300, maxRequestsJitter: 100 });
  const load = startLoad(`http://127.0.0.1:${port}/worker/HttpExamples/index`, { connections: 8 });
  try {
    await waitFor('two recycles', async () => (await statusJson(p, 'web')).workers.reduce((n, w) => n + w.restarts, 0) >= 2, { timeoutMs: 60_000, intervalMs: 200 });
  } finally {
    const r = await load.stop();
    assert.ok(r.requests > 0);
    assert.deepEqual({ errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, kinds: r.errorKinds }, { errors: 0, timeouts: 0, non2xx: 0, kinds: {} });
  }
  // A worker past its limit keeps serving until its replacement is ready (full capacity, no
  // loss), so its count overshoots by what it serves meanwhile: nothing to assert on that.
  const status = await statusJson(p, 'web');
  assert.deepEqual(status.exits, [], 'a recycle is not a crash');
  assert.match(fs.readFileSync(p.service('web').log, 'utf8'), /recycling worker \d \(pid \d+\): served \d+ requests \(maxRequests\)/);
}));

test('maxMemory recycles a worker whose RSS grew past it', TIMEOUT, scenario(async (p) => {
  p.writeFile('app/worker/controller/Memory.ts', MEMORY_CONTROLLER);
  const port = await startWeb(p, { count: 1, maxMemory: 250 * 1024 * 1024 });
  const before = (await statusJson(p, 'web')).workers[0]!;
  const grown = await request(port, '/worker/Memory/grow?mb=300');
  assert.equal(grown.status, 200, grown.body);
  await waitFor('the old worker gone', () => !isAlive(before.pid!));
  const after = await waitFor('one ready replacement', async () => {
    const { workers } = await statusJson(p, 'web');
    return workers.length === 1 && workers[0]!.state === 'ready' && workers[0]!.pid !== before.pid ? workers[0] : null;
  });
  assert.equal(after.restarts, 1);
  assert.ok(after.rss < 250 * 1024 * 1024);
  const r = await request(port, '/worker/HttpExamples/index');
  assert.equal(r.status, 200);
}));

test('a worker stuck in a busy loop is shown busy, then replaced and killed', TIMEOUT, scenario(async (p) => {
  p.writeFile('app/worker/controller/Busy.ts', BUSY_CONTROLLER);
  const port = await startWeb(p, { count: 1, hungTimeout: 3000 });
  const stuck = (await statusJson(p, 'web')).workers[0]!.pid!;
  request(port, '/worker/Busy/spin', { timeoutMs: 30_000 }).catch(() => undefined);
  await waitFor('the worker to spin', () => p.exists(`spinning-${stuck}`));
  const busy = await waitFor('status to show it busy', async () => (await statusJson(p, 'web')).workers.find((w) => w.pid === stuck && w.busy));
  assert.equal(busy.state, 'ready');
  await waitFor('the stuck worker killed', () => !isAlive(stuck));
  const status = await waitFor('a ready replacement', async () => {
    const s = await statusJson(p, 'web');
    return s.workers.length === 1 && s.workers[0]!.state === 'ready' && s.workers[0]!.pid !== stuck ? s : null;
  });
  assert.equal(status.workers[0]!.restarts, 1);
  const r = await request(port, '/worker/HttpExamples/index');
  assert.equal(r.status, 200);
}));
