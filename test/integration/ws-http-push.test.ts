// HTTP → WebSocket: an action of the HTTP service imports `gateway` from 'drover' and pushes
// to a uid whose clients are held by the WebSocket service's gateways.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { getJson } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { scenario } from '../helpers/scenario.js';
import { clientsOnEveryGateway, type TestClient } from '../helpers/ws-client.js';
import { NOTIFY_CONTROLLER } from '../helpers/ws-fixtures.js';
import { linkDrover, startWs } from '../helpers/ws-service.js';

test('an HTTP action pushes to a uid over the WebSocket service', { timeout: 120_000 }, scenario(async (p) => {
  linkDrover(p);
  p.writeFile('app/worker/controller/Notify.ts', NOTIFY_CONTROLLER);
  const { port } = await startWs(p);
  const httpPort = await freePort();
  p.writeConfig('http', { listen: `http://127.0.0.1:${httpPort}`, count: 2 });
  const started = await runCli(p, ['http', 'start', '-d'], { timeoutMs: 60_000 });
  p.track(p.pidOf('http'));
  assert.equal(started.code, 0, show(started));

  const [[a], [b, c]] = (await clientsOnEveryGateway(port, 2, 2)) as [[TestClient], [TestClient, TestClient]];
  for (const client of [a, b]) {
    const bound = await client.call<{ result: boolean }>('worker/WsTest/push', { op: 'bindUid', args: [client.id, 'user-42'] });
    assert.equal(bound.data.result, true);
  }

  const answer = await getJson<{ sent: number; online: boolean; clients: number }>(httpPort, '/worker/Notify/uid?uid=user-42&text=order%20shipped');
  assert.deepEqual(answer, { sent: 2, online: true, clients: 4 });
  await Promise.all([a, b].map((client) => client.next((t) => t === 'order shipped', 10_000, 'the push from HTTP')));
  assert.ok(!c.inbox.some((m) => m.text === 'order shipped'), 'a client without the uid gets nothing');

  // Many HTTP requests, each pushing: the HTTP workers keep their gateway connections.
  for (let i = 0; i < 20; i++) await getJson(httpPort, `/worker/Notify/uid?uid=user-42&text=n${i}`);
  for (let i = 0; i < 20; i++) await a.next((t) => t === `n${i}`, 10_000, `push n${i}`);
  const nobody = await getJson<{ sent: number; online: boolean }>(httpPort, '/worker/Notify/uid?uid=nobody&text=x');
  assert.deepEqual([nobody.sent, nobody.online], [0, false]);
  await Promise.all([a, b, c].map((client) => client.close()));
}));
