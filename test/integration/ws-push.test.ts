// The push API across gateways: every function, called from a controller (WsTest/push runs
// ctx.gateway[op](...args) in a business worker) on clients held by two different gateway
// workers; then from a plain script on the host, through `gateway` from 'drover'.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { scenario } from '../helpers/scenario.js';
import { runScript } from '../helpers/script.js';
import { clientsOnEveryGateway, type TestClient } from '../helpers/ws-client.js';
import { linkDrover, startWs } from '../helpers/ws-service.js';

const TIMEOUT = { timeout: 120_000 };

async function push<T>(from: TestClient, op: string, ...args: unknown[]): Promise<T> {
  const reply = await from.call<{ result: T }>('worker/WsTest/push', { op, args });
  assert.equal(reply.type, 'push', `${op}(${JSON.stringify(args)}) → ${JSON.stringify(reply)}`);
  return reply.data.result;
}

const sorted = (ids: string[]) => [...ids].sort();

test('every push function works across clients held by different gateways', TIMEOUT, scenario(async (p) => {
  const { port } = await startWs(p);
  const [[a1, a2], [b1, b2]] = (await clientsOnEveryGateway(port, 2, 2)) as [[TestClient, TestClient], [TestClient, TestClient]];
  assert.deepEqual([a1.gateway, a2.gateway, b1.gateway, b2.gateway], [1, 1, 2, 2]);
  const text = (c: TestClient, expected: string) => c.next((t) => t === expected, 10_000, `the push "${expected}"`);

  // One client, on the other gateway.
  assert.equal(await push(a1, 'sendToClient', b1.id, 'to-b1'), true);
  await text(b1, 'to-b1');
  assert.equal(await push(a1, 'sendToClient', b1.id, { json: true }), true);
  await text(b1, '{"json":true}');
  assert.equal(await push(a1, 'sendToClient', '2-nosuch-1', 'lost'), false, 'an unknown client is not online');
  assert.equal(await push(a1, 'isOnline', b1.id), true);
  assert.equal(await push(a1, 'isOnline', '9-nosuch-1'), false, 'a gateway that does not exist holds nobody');
  assert.equal(await push(a1, 'getClientCount'), 4, 'counted over both gateways');

  // Uids: one uid, clients on both gateways.
  assert.equal(await push(a1, 'bindUid', a2.id, 'u1'), true);
  assert.equal(await push(a1, 'bindUid', b2.id, 'u1'), true);
  assert.equal(await push(b1, 'isUidOnline', 'u1'), true);
  assert.equal(await push(b1, 'isUidOnline', 'nobody'), false);
  assert.deepEqual(sorted(await push<string[]>(b1, 'getClientIdsByUid', 'u1')), sorted([a2.id, b2.id]));
  assert.equal(await push(a1, 'getUidByClientId', b2.id), 'u1');
  assert.equal(await push(a1, 'sendToUid', 'u1', 'to-u1'), 2);
  await Promise.all([text(a2, 'to-u1'), text(b2, 'to-u1')]);
  assert.equal(await push(a1, 'unbindUid', b2.id, 'u1'), true);
  assert.equal(await push(a1, 'unbindUid', b2.id, 'u1'), false, 'not bound any more');
  assert.deepEqual(await push(a1, 'getClientIdsByUid', 'u1'), [a2.id]);
  assert.equal(await push(a1, 'getUidByClientId', b2.id), null);

  // Groups across gateways, with exclusions.
  for (const c of [a1, b1, b2]) assert.equal(await push(a2, 'joinGroup', c.id, 'room'), true);
  assert.equal(await push(a2, 'getClientCountByGroup', 'room'), 3);
  assert.deepEqual(sorted(await push<string[]>(a2, 'getClientIdsByGroup', 'room')), sorted([a1.id, b1.id, b2.id]));
  const listed = await runCli(p, ['ws', 'connections', '--json']);
  assert.equal(listed.code, 0, show(listed));
  const rows = (JSON.parse(listed.stdout) as { workers: Array<{ id: number; connections: Array<{ clientId: string; uid: string | null; groups: string[] }> }> }).workers.flatMap((w) => w.connections.map((c) => ({ worker: w.id, ...c })));
  const row = (c: TestClient) => rows.find((r) => r.clientId === c.id);
  assert.deepEqual([row(a1)?.worker, row(a1)?.groups, row(a2)?.uid, row(b1)?.worker, row(b1)?.groups], [1, ['room'], 'u1', 2, ['room']], JSON.stringify(rows));
  const table = await runCli(p, ['ws', 'connections']);
  assert.match(table.stdout, new RegExp(`${a2.id}\\s+u1`), table.stdout);
  assert.equal(await push(a2, 'sendToGroup', 'room', 'to-room', [b2.id]), 2);
  await Promise.all([text(a1, 'to-room'), text(b1, 'to-room')]);
  assert.equal(await push(a2, 'leaveGroup', b1.id, 'room'), true);
  assert.equal(await push(a2, 'leaveGroup', b1.id, 'room'), false);
  assert.equal(await push(a2, 'getClientCountByGroup', 'room'), 2);
  assert.equal(await push(a2, 'ungroup', 'room'), 2);
  assert.equal(await push(a2, 'getClientCountByGroup', 'room'), 0);

  // Everyone, but the excluded.
  assert.equal(await push(a1, 'sendToAll', 'to-all', [a1.id]), 3);
  await Promise.all([a2, b1, b2].map((c) => text(c, 'to-all')));

  // Sessions, kept by each client's gateway and seen by its actions.
  assert.equal(await push(a1, 'setSession', b1.id, { a: 1 }), true);
  assert.deepEqual(await push(a1, 'getSession', b1.id), { a: 1 });
  assert.equal(await push(a1, 'updateSession', b1.id, { b: 2 }), true);
  assert.deepEqual(await push(a1, 'getSession', b1.id), { a: 1, b: 2 });
  const own = await b1.call<{ session: Record<string, unknown> }>('worker/WsTest/session', { set: { c: 3 } });
  assert.deepEqual(own.data.session, { a: 1, b: 2, c: 3 }, 'setSession replaced what the connect hook stored');
  assert.deepEqual(await push(a1, 'getSession', b1.id), { a: 1, b: 2, c: 3 }, 'what an action changes is saved');
  assert.equal(await push(a1, 'getSession', '2-nosuch-1'), null);

  // Closing a client on the other gateway.
  assert.equal(await push(a1, 'closeClient', b2.id, 4321, 'bye'), true);
  const closed = await b2.closed;
  assert.deepEqual([closed.code, closed.reason], [4321, 'bye']);
  assert.equal(await push(a1, 'isOnline', b2.id), false);
  assert.equal(await push(a1, 'getClientCount'), 3);

  for (const c of [a1, a2, b1]) assert.ok(c.open);
  await Promise.all([a1, a2, b1].map((c) => c.close()));
}));

test('a script on the host pushes through `gateway` from drover, and exits on its own', TIMEOUT, scenario(async (p) => {
  linkDrover(p);
  const { port } = await startWs(p);
  const [[a], [b]] = (await clientsOnEveryGateway(port, 2, 1)) as [[TestClient], [TestClient]];
  await push(a, 'bindUid', a.id, 'u7');
  await push(b, 'joinGroup', b.id, 'g7');

  const script = await runScript(p, `
    import { gateway } from 'drover';
    const out = {
      count: await gateway.getClientCount(),
      uid: await gateway.sendToUid('u7', 'from-script'),
      group: await gateway.sendToGroup('g7', new Uint8Array([0, 1, 2, 255])),
      online: await gateway.isOnline(${JSON.stringify(b.id)}),
      ids: await gateway.getClientIdsByUid('u7'),
      session: await gateway.setSession(${JSON.stringify(b.id)}, { from: 'script' }),
    };
    console.log(JSON.stringify(out));
  `);
  assert.equal(script.code, 0, `the script exits by itself once its calls are answered: ${script.stderr}`);
  assert.deepEqual(JSON.parse(script.stdout), { count: 2, uid: 1, group: 1, online: true, ids: [a.id], session: true });
  await a.next((t) => t === 'from-script');
  await b.next((t, binary) => binary && t === Buffer.from([0, 1, 2, 255]).toString('base64'), 10_000, 'the binary push');
  assert.deepEqual(await push(a, 'getSession', b.id), { from: 'script' });

  const stopped = await runScript(p, `
    import { gateway } from 'drover';
    await gateway.close();
    try {
      await gateway.getClientCount();
      console.log('answered');
    } catch (error) {
      console.log(error.code);
    }
  `);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.equal(stopped.stdout.trim(), 'answered', 'a closed default client reconnects on next use');
  await Promise.all([a.close(), b.close()]);
}));
