// Module hooks in the WebSocket service: onWorkerStart / onWorkerStop run in business workers
// (gateways run no user code); onWebSocketConnect gets each client's own handshake (query,
// headers, remote address), before its first message; onWebSocketClose gets the close code,
// the uid and the session.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { scenario } from '../helpers/scenario.js';
import { waitFor } from '../helpers/wait.js';
import { TestClient } from '../helpers/ws-client.js';
import { pidsOf, startWs } from '../helpers/ws-service.js';
import type { Project } from '../helpers/project.js';

function hookFiles(p: Project, prefix: string): Array<Record<string, unknown>> {
  let names: string[] = [];
  try {
    names = fs.readdirSync(p.file('hooks'));
  } catch {
    return [];
  }
  return names.filter((n) => n.startsWith(prefix) && !n.endsWith('.tmp')).map((n) => JSON.parse(fs.readFileSync(p.file(`hooks/${n}`), 'utf8')) as Record<string, unknown>);
}

test('hooks: worker start/stop in business workers, connect with the handshake per client, close', { timeout: 90_000 }, scenario(async (p) => {
  const { port, status } = await startWs(p);
  const business = pidsOf(status, 'business');
  const gateways = pidsOf(status, 'gateway');
  const started = hookFiles(p, 'start-');
  assert.deepEqual(started.map((s) => s.role).sort(), ['business', 'business'], `onWorkerStart ran in business workers only: ${JSON.stringify(started)}`);
  for (const pid of gateways) assert.equal(p.exists(`hooks/start-${pid}`), false, 'a gateway runs no user code');

  const alice = await TestClient.connect(port, { path: '/chat?token=alice&room=1', headers: { 'x-app': 'alice-app' } });
  const bob = await TestClient.connect(port, { path: '/?token=bob', headers: { 'x-app': 'bob-app' } });
  // The connect hook has run before the first message: the session holds the token it stored.
  const aliceSession = await alice.call<{ session: { token: string } }>('worker/WsTest/session');
  const bobSession = await bob.call<{ session: { token: string } }>('worker/WsTest/session');
  assert.equal(aliceSession.data.session.token, 'alice');
  assert.equal(bobSession.data.session.token, 'bob', 'handshake data is per client, never per process');
  await alice.whoami();
  await bob.whoami();

  const connect = (id: string) => JSON.parse(fs.readFileSync(p.file(`hooks/connect-${id}`), 'utf8')) as { handshake: { url: string; query: Record<string, string>; headers: Record<string, string>; remoteAddress: string; remotePort: number }; pid: number };
  const a = connect(alice.id);
  const b = connect(bob.id);
  assert.equal(a.handshake.url, '/chat?token=alice&room=1');
  assert.deepEqual(a.handshake.query, { token: 'alice', room: '1' });
  assert.equal(a.handshake.headers['x-app'], 'alice-app');
  assert.equal(b.handshake.headers['x-app'], 'bob-app');
  assert.match(a.handshake.remoteAddress, /127\.0\.0\.1/);
  assert.equal(a.handshake.remotePort, (alice.ws as unknown as { _socket: { localPort: number } })._socket.localPort);
  assert.ok(business.includes(a.pid), 'the connect hook ran in a business worker');

  const bound = await alice.call<{ result: boolean }>('worker/WsTest/push', { op: 'bindUid', args: [alice.id, 'user-a'] });
  assert.equal(bound.data.result, true);
  await alice.call('worker/WsTest/session', { set: { cart: 3 } });
  await alice.close(4100);
  const closed = await waitFor('the close hook for alice', () => (p.exists(`hooks/close-${alice.id}`) ? JSON.parse(fs.readFileSync(p.file(`hooks/close-${alice.id}`), 'utf8')) : null));
  assert.equal(closed.code, 4100);
  assert.equal(closed.uid, 'user-a');
  assert.deepEqual(closed.session, { token: 'alice', cart: 3 });
  assert.equal(closed.handshake.query.token, 'alice');
  assert.equal(p.exists(`hooks/close-${bob.id}`), false, "bob's connection is still open");

  const stopped = await runCli(p, ['ws', 'stop']);
  assert.equal(stopped.code, 0, show(stopped));
  for (const pid of business) assert.ok(p.exists(`hooks/stop-${pid}`), `onWorkerStop ran in business worker ${pid}`);
  for (const pid of gateways) assert.equal(p.exists(`hooks/stop-${pid}`), false);
  assert.equal((await bob.closed).code, 1001, 'stop closes clients with 1001');
}));
