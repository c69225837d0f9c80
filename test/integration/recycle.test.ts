// Recycling: maxRequests (with jitter) and maxMemory replace a worker the rolling, lossless
// way, under load (busy-and-recycle.test.ts covers hung workers and maxRequests without load).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { request } from '../helpers/http.js';
import { startLoad } from '../helpers/load.js';
import { isAlive } from '../helpers/processes.js';
import type { Project } from '../helpers/project.js';
import { startHttpDaemon } from '../helpers/daemon.js';
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

function startWeb(p: Project, config: object = {}): Promise<number> {
  return startHttpDaemon(p, config);
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
