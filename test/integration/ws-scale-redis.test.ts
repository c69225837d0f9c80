// Gateways scaled at runtime on one host of two sharing a real redis-server: the other host's
// pushes reach the clients of the added gateway (it relays through Redis like the others), and
// once it is removed the other host stops counting its clients.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drover } from '../helpers/pid-app.js';
import { createProject } from '../helpers/project.js';
import { startRedis } from '../helpers/redis.js';
import { scenario } from '../helpers/scenario.js';
import { waitFor } from '../helpers/wait.js';
import { TestClient } from '../helpers/ws-client.js';
import { linkDrover, startWs } from '../helpers/ws-service.js';

const TIMEOUT = { timeout: 120_000 };

async function push<T>(from: TestClient, op: string, ...args: unknown[]): Promise<T> {
  const reply = await from.call<{ result: T }>('worker/WsTest/push', { op, args });
  assert.equal(reply.type, 'push', `${op}(${JSON.stringify(args)}) → ${JSON.stringify(reply)}`);
  return reply.data.result;
}

async function clientOn(port: number, slot: number): Promise<TestClient> {
  const others: TestClient[] = [];
  try {
    for (let i = 0; i < 30; i++) {
      const c = await TestClient.connect(port);
      await c.whoami();
      if (c.gateway === slot) return c;
      others.push(c);
    }
    throw new Error(`no connection landed on gateway ${slot}`);
  } finally {
    await Promise.all(others.map((c) => c.close()));
  }
}

test('with redis: another host reaches the clients of a gateway added at runtime, and stops counting them once it is removed', TIMEOUT, scenario(async (a, t) => {
  const b = await createProject(t);
  linkDrover(b);
  const redis = await startRedis(a);
  const hostA = await startWs(a, { redis: redis.url, gateway: { count: 1 }, business: { count: 1 }, closeSpreadMs: 0 });
  const hostB = await startWs(b, { redis: redis.url, gateway: { count: 1 }, business: { count: 1 } });
  const onB = await clientOn(hostB.port, 1);
  const opened = [onB];
  try {
    await drover(a, ['ws', 'scale', 'gateway=2']);
    // A's new gateway is slot 3 (1 gateway and 1 business worker since the start).
    const onNew = await clientOn(hostA.port, 3);
    opened.push(onNew);
    await waitFor('host B to count the client of A\'s new gateway', async () => (await push<number>(onB, 'getClientCount')) === 2);
    assert.equal(await push(onB, 'sendToClient', onNew.id, 'b→new'), true);
    await onNew.next((x) => x === 'b→new');
    assert.equal(await push(onB, 'bindUid', onNew.id, 'far'), true);
    assert.equal(await push(onB, 'sendToUid', 'far', 'by uid'), 1);
    await onNew.next((x) => x === 'by uid');
    assert.equal(await push(onNew, 'sendToClient', onB.id, 'new→b'), true);
    await onB.next((x) => x === 'new→b');

    await drover(a, ['ws', 'scale', 'gateway=1']);
    assert.equal((await onNew.closed).code, 1012);
    assert.equal(await push(onB, 'isUidOnline', 'far'), false);
    assert.equal(await push<number>(onB, 'getClientCount'), 1);
    assert.equal(onB.closeInfo, null);
  } finally {
    for (const c of opened) c.ws.terminate();
  }
}));
