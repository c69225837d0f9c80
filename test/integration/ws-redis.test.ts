// Push across hosts through Redis pub/sub: two "hosts" are two project roots, each running
// its own WebSocket service on its own port, both configured with the same redis-server (a
// real one, started by the test). A client held on host A gets what host B pushes, from a
// controller on B and from a script on B using `gateway` from 'drover'; queries answer for
// both hosts. Redis killed: each host's own pushes keep working, and the hosts find each
// other again once Redis is back.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { createProject, type Project } from '../helpers/project.js';
import { startRedis } from '../helpers/redis.js';
import { scenario } from '../helpers/scenario.js';
import { runScript } from '../helpers/script.js';
import { waitFor } from '../helpers/wait.js';
import { clientsOnEveryGateway, type TestClient } from '../helpers/ws-client.js';
import { linkDrover, pidsOf, startWs } from '../helpers/ws-service.js';

const TIMEOUT = { timeout: 180_000 };

async function push<T>(from: TestClient, op: string, ...args: unknown[]): Promise<T> {
  const reply = await from.call<{ result: T }>('worker/WsTest/push', { op, args });
  assert.equal(reply.type, 'push', `${op}(${JSON.stringify(args)}) → ${JSON.stringify(reply)}`);
  return reply.data.result;
}

/** Runs an ES module script in a project root (DROVER_ROOT = that root): its stdout as JSON. */
async function runJsonScript<T>(p: Project, source: string): Promise<T> {
  const r = await runScript(p, source, { DROVER_ROOT: p.root });
  assert.equal(r.code, 0, `the script failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

const text = (c: TestClient, expected: string) => c.next((t) => t === expected, 10_000, `the push "${expected}"`);

/** Two hosts on one redis, two gateways each with one client: [a1, a2] on A, [b1, b2] on B. */
async function twoHosts(a: Project, t: { after(fn: () => unknown): void }) {
  const b = await createProject(t);
  linkDrover(b);
  const redis = await startRedis(a);
  const hostA = await startWs(a, { redis: redis.url });
  const hostB = await startWs(b, { redis: redis.url });
  const [[a1], [a2]] = (await clientsOnEveryGateway(hostA.port, 2, 1)) as [[TestClient], [TestClient]];
  const [[b1], [b2]] = (await clientsOnEveryGateway(hostB.port, 2, 1)) as [[TestClient], [TestClient]];
  // The gateways connect to Redis in the background: wait until each host counts the other's clients.
  await waitFor('both hosts counting 4 clients', async () => (await push<number>(a1, 'getClientCount')) === 4 && (await push<number>(b1, 'getClientCount')) === 4);
  return { b, redis, hostA, hostB, a1, a2, b1, b2 };
}

test('pushes and queries issued on one host reach the clients of another through redis', TIMEOUT, scenario(async (a, t) => {
  const { b, a1, a2, b1, b2 } = await twoHosts(a, t);
  // Same gateway slots on both hosts, different ids.
  assert.equal(a1.gateway, b1.gateway);
  assert.equal(new Set([a1.id, a2.id, b1.id, b2.id]).size, 4, 'client ids are unique across hosts');

  // From a controller on B, on clients held by A's gateways.
  assert.equal(await push(b1, 'sendToClient', a1.id, 'b1→a1'), true);
  await text(a1, 'b1→a1');
  assert.equal(await push(b1, 'bindUid', a1.id, 'u-x'), true);
  assert.equal(await push(b2, 'bindUid', b2.id, 'u-x'), true);
  assert.equal(await push(b1, 'joinGroup', a2.id, 'g-x'), true);
  assert.equal(await push(a1, 'joinGroup', b1.id, 'g-x'), true, 'and from A to B');
  assert.equal(await push(b1, 'sendToUid', 'u-x', 'uid-from-b'), 2);
  await Promise.all([text(a1, 'uid-from-b'), text(b2, 'uid-from-b')]);
  assert.equal(await push(b1, 'setSession', a1.id, { host: 'B' }), true);
  assert.deepEqual(await push(a1, 'getSession', a1.id), { host: 'B' });
  assert.equal(await push(b1, 'sendToClient', '1-nosuchclient-1', 'lost'), false, 'a client no host holds is not online');

  // From a script on host B through `gateway` from 'drover'.
  const out = await runJsonScript<Record<string, unknown>>(b, `
    import { gateway } from 'drover';
    const out = {
      client: await gateway.sendToClient(${JSON.stringify(a2.id)}, 'script→a2'),
      uid: await gateway.sendToUid('u-x', 'script-uid'),
      group: await gateway.sendToGroup('g-x', 'script-group', [${JSON.stringify(b1.id)}]),
      all: await gateway.sendToAll('script-all', [${JSON.stringify(a2.id)}]),
      online: await gateway.isOnline(${JSON.stringify(a1.id)}),
      uidOnline: await gateway.isUidOnline('u-x'),
      ids: (await gateway.getClientIdsByUid('u-x')).sort(),
      count: await gateway.getClientCount(),
      inGroup: await gateway.getClientCountByGroup('g-x'),
      session: await gateway.getSession(${JSON.stringify(a1.id)}),
    };
    await gateway.close();
    console.log(JSON.stringify(out));
  `);
  assert.deepEqual(out, {
    client: true,
    uid: 2,
    group: 1,
    all: 3,
    online: true,
    uidOnline: true,
    ids: [a1.id, b2.id].sort(),
    count: 4,
    inGroup: 2,
    session: { host: 'B' },
  });
  await text(a2, 'script→a2');
  await Promise.all([text(a1, 'script-uid'), text(b2, 'script-uid')]);
  await text(a2, 'script-group');
  await Promise.all([a1, b1, b2].map((c) => text(c, 'script-all')));
  assert.ok(!b1.inbox.some((m) => m.text === 'script-group'), 'excluded from the group push');
  assert.ok(!a2.inbox.some((m) => m.text === 'script-all'), 'excluded from sendToAll');

  // Leaving, unbinding and closing across hosts.
  assert.equal(await push(b1, 'leaveGroup', a2.id, 'g-x'), true);
  assert.equal(await push(b1, 'unbindUid', a1.id, 'u-x'), true);
  assert.deepEqual(await push(b1, 'getClientIdsByUid', 'u-x'), [b2.id]);
  assert.equal(await push(b1, 'getClientCountByGroup', 'g-x'), 1);
  assert.equal(await push(b1, 'closeClient', a2.id, 4001, 'closed from B'), true);
  const closed = await a2.closed;
  assert.deepEqual([closed.code, closed.reason], [4001, 'closed from B']);
  assert.equal(await push(b1, 'isOnline', a2.id), false);
  assert.equal(await push(b1, 'getClientCount'), 3);
  await Promise.all([a1, b1, b2].map((c) => c.close()));
}));

test('redis killed: each host keeps pushing to its own clients; the hosts meet again when it is back', TIMEOUT, scenario(async (a, t) => {
  const { b, redis, hostA, hostB, a1, a2, b1, b2 } = await twoHosts(a, t);
  const gateways = [...pidsOf(hostA.status, 'gateway'), ...pidsOf(hostB.status, 'gateway')];
  await redis.kill();
  await waitFor('the gateways saying redis is unreachable', () => a.read('logs/ws.log').includes('is unreachable') && b.read('logs/ws.log').includes('is unreachable'));

  // Each host on its own: local pushes and counts, promptly.
  const started = Date.now();
  assert.equal(await push(a1, 'sendToAll', 'a-local'), 2);
  await Promise.all([text(a1, 'a-local'), text(a2, 'a-local')]);
  assert.equal(await push(b1, 'sendToClient', b2.id, 'b-local'), true);
  await text(b2, 'b-local');
  assert.equal(await push(b1, 'getClientCount'), 2);
  assert.equal(await push(b1, 'sendToClient', a1.id, 'lost'), false, 'a client on the other host is out of reach');
  const local = await runJsonScript<{ all: number }>(b, `
    import { gateway } from 'drover';
    const out = { all: await gateway.sendToAll('b-script') };
    await gateway.close();
    console.log(JSON.stringify(out));
  `);
  assert.equal(local.all, 2);
  await Promise.all([text(b1, 'b-script'), text(b2, 'b-script')]);
  assert.ok(Date.now() - started < 8_000, `local pushes do not wait on redis (${Date.now() - started} ms)`);
  assert.ok(!a1.inbox.some((m) => m.text === 'b-script' || m.text === 'lost'));

  const status = await Promise.all([a, b].map((p) => p.pidOf('ws')));
  assert.ok(status.every((pid) => pid !== null));
  for (const pid of gateways) assert.doesNotThrow(() => process.kill(pid, 0), `gateway ${pid} is still alive`);

  // Redis back on the same port: the gateways reconnect (back-off) and pushes cross again.
  const again = spawn('redis-server', ['--port', String(redis.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', a.root], { cwd: a.root, stdio: 'ignore' });
  a.trackChild(again);
  await waitFor('the hosts counting each other again', async () => (await push<number>(b1, 'getClientCount')) === 4, { timeoutMs: 30_000, intervalMs: 200 });
  assert.equal(await push(b1, 'sendToClient', a1.id, 'crossing again'), true);
  await text(a1, 'crossing again');
  await Promise.all([a1, a2, b1, b2].map((c) => c.close()));
}));
