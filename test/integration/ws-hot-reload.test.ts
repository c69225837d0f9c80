// Hot reload of the WebSocket service in foreground (debug) mode: saving a controller replaces
// the business workers only; a client connected through the edit stays connected, and its next
// message is answered by the new code.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { startForeground } from '../helpers/foreground.js';
import { freePort } from '../helpers/ports.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';
import { TestClient } from '../helpers/ws-client.js';
import { pidsOf } from '../helpers/ws-service.js';

const CONTROLLER = 'app/worker/controller/WebSocketExamples.ts';
const ROUTE = 'worker/WebSocketExamples/message';

test('a WebSocket client connected through an edit stays connected and is answered by the new code', { timeout: 90_000 }, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('ws', { listen: `ws://127.0.0.1:${port}`, gateway: { count: 2 }, business: { count: 2 } });
  p.writeConfig('process', { hotReload: { debounceMs: 200 } });
  const master = await startForeground(p, 'ws');
  await master.waitForOutput(/hot reload: watching/);
  const before = await statusJson(p, 'ws');
  const clients = await Promise.all([0, 1, 2, 3].map(() => TestClient.connect(port)));
  for (const c of clients) assert.equal((await c.call<{ edited?: boolean }>(ROUTE)).data.edited, undefined);

  const file = p.file(CONTROLLER);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('clientId: ctx.clientId,', 'clientId: ctx.clientId, edited: true,'));
  await waitFor('the reload to finish', () => /reload done in \d+ ms/.test(master.stdout));

  for (const c of clients) {
    assert.ok(c.open, 'still connected');
    assert.equal((await c.call<{ edited?: boolean }>(ROUTE)).data.edited, true, 'answered by the new code');
  }
  assert.ok(clients.every((c) => c.closeInfo === null), 'no client saw a close');
  const after = await statusJson(p, 'ws');
  assert.deepEqual(pidsOf(after, 'gateway'), pidsOf(before, 'gateway'), 'gateways untouched');
  assert.equal(pidsOf(after, 'business').filter((pid) => pidsOf(before, 'business').includes(pid)).length, 0, 'business workers replaced');
  for (const c of clients) c.ws.close();
}));
