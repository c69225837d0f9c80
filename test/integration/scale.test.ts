// `scale` and reloads, refusals, and WebSocket business workers: status shows the count; a
// reload keeps a scaled count until the config's count changes, and names the workers it adds
// and removes; business workers scale while clients stay connected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drover, startPidApp } from '../helpers/pid-app.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';
import { TestClient } from '../helpers/ws-client.js';
import { startWs } from '../helpers/ws-service.js';

const TIMEOUT = { timeout: 90_000 };

test('a reload keeps a scaled count until the config count changes; reload names added and removed workers', TIMEOUT, scenario(async (p) => {
  await startPidApp(p, 2);
  await drover(p, ['web', 'scale', '3']);
  const kept = await drover(p, ['web', 'reload']);
  assert.match(kept.stdout, /http: 3 workers as set by scale \(the config says 2\)/);
  let status = await statusJson(p, 'web');
  assert.equal(status.workers.length, 3);
  assert.equal(status.generation, 2);

  const config = JSON.parse(p.read('config/worker_web.json')) as Record<string, unknown>;
  p.writeConfig('web', { ...config, count: 4 });
  const grown = await drover(p, ['web', 'reload']);
  assert.match(grown.stdout, /the config's count changed \(2 → 4\), so it replaces the 3 set by scale/);
  status = await statusJson(p, 'web');
  assert.equal(status.workers.length, 4);
  assert.match(grown.stdout, new RegExp(`worker 4: added, pid ${status.workers[3]!.pid}`));

  p.writeConfig('web', { ...config, count: 1 });
  const shrunk = await drover(p, ['web', 'reload']);
  const removed = shrunk.stdout.match(/worker \d: removed, pid \d+ drained/g) ?? [];
  assert.equal(removed.length, 3, shrunk.stdout);
  assert.equal((await statusJson(p, 'web')).workers.length, 1);

  // Refusals change nothing and say what to do.
  const zero = await drover(p, ['web', 'scale', '-1'], 1);
  assert.match(zero.stderr, /DROVER_ERR_SCALE_REFUSED/);
  assert.match(zero.stderr, /hint:/);
  const usage = await drover(p, ['web', 'scale', 'lots'], 2);
  assert.match(usage.stderr, /DROVER_ERR_USAGE/);
  assert.equal((await statusJson(p, 'web')).workers.length, 1);
}));

test('WebSocket: business workers scale up and down while clients stay connected; a missing or unknown role is refused', TIMEOUT, scenario(async (p) => {
  const { port } = await startWs(p, { business: { count: 1 } });
  const clients = await Promise.all([TestClient.connect(port), TestClient.connect(port), TestClient.connect(port)]);
  try {
    for (const c of clients) await c.whoami();
    const noRole = await drover(p, ['ws', 'scale', '3'], 1);
    assert.match(noRole.stderr, /say which to scale/);
    const bogus = await drover(p, ['ws', 'scale', 'gatway=3'], 1);
    assert.match(bogus.stderr, /DROVER_ERR_SCALE_REFUSED/);
    assert.match(bogus.stderr, /no "gatway" workers/);

    const up = await drover(p, ['ws', 'scale', 'business=3']);
    assert.match(up.stdout, /business workers 1 → 3/);
    let status = await statusJson(p, 'ws');
    assert.equal(status.workers.filter((w) => w.role === 'business' && w.state === 'ready').length, 3);
    // New clients spread over the business workers, the new ones included.
    const more = await Promise.all(Array.from({ length: 6 }, () => TestClient.connect(port)));
    const handledBy = new Set<number>();
    for (const c of more) handledBy.add((await c.whoami()).pid);
    for (const c of more) c.ws.terminate();
    assert.ok(handledBy.size >= 2, `business pids seen: ${[...handledBy].join(', ')}`);

    const down = await drover(p, ['ws', 'scale', '-2', '--role', 'business']);
    assert.match(down.stdout, /business workers 3 → 1/);
    status = await statusJson(p, 'ws');
    assert.equal(status.workers.filter((w) => w.role === 'business').length, 1);
    for (const c of clients) {
      assert.equal(c.open, true, 'no client was dropped');
      await c.whoami();
    }
  } finally {
    for (const c of clients) c.ws.terminate();
  }
}));
