// `scale gateway=…` at runtime with clients connected. Up: the clients already connected keep
// their connections (no close event), their answers and their pushes; new connections land on
// the new gateway and work both ways, pushes cross between old and new gateways. Down: the
// removed gateway's clients get their last answers, then 1012 (reconnect), and reconnect; every
// other client is untouched and every message it sends meanwhile is answered. A later reload
// keeps the scaled count, and a changed gateway.count in the config adds gateways on reload.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { drover } from '../helpers/pid-app.js';
import { runScript } from '../helpers/script.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson, type ServiceStatus } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';
import { TestClient } from '../helpers/ws-client.js';
import { pidsOf, startWs } from '../helpers/ws-service.js';

const TIMEOUT = { timeout: 90_000 };

function gatewayIds(status: ServiceStatus): number[] {
  return status.workers.filter((w) => w.role === 'gateway').map((w) => w.id);
}

/** A connected client that has told us its id (so its gateway slot). */
async function client(port: number): Promise<TestClient> {
  const c = await TestClient.connect(port);
  await c.whoami();
  return c;
}

/** Connects until a client lands on gateway `slot` (cluster hands connections round-robin); closes the others. */
async function clientOn(port: number, slot: number): Promise<TestClient> {
  const others: TestClient[] = [];
  try {
    for (let i = 0; i < 30; i++) {
      const c = await client(port);
      if (c.gateway === slot) return c;
      others.push(c);
    }
    throw new Error(`no connection landed on gateway ${slot} in 30 attempts: ${others.map((c) => c.gateway).join(', ')}`);
  } finally {
    await Promise.all(others.map((c) => c.close()));
  }
}

async function push(from: TestClient, op: string, args: unknown[]): Promise<unknown> {
  const r = await from.call<{ result: unknown }>('worker/WsTest/push', { op, args });
  assert.equal(r.type, 'push', JSON.stringify(r));
  return r.data.result;
}

/** Every client gets `text` (a push), or the test fails naming the one that did not. */
async function allGet(clients: TestClient[], text: string): Promise<void> {
  await Promise.all(clients.map((c) => c.next((t) => t === text, 10_000, `push ${text} on ${c.id}`)));
}

test('gateways scale up and down with clients connected: nobody else is touched, the removed gateway\'s clients get their answers and 1012, nothing is lost', TIMEOUT, scenario(async (p) => {
  const { port, status: before } = await startWs(p, { closeSpreadMs: 200 });
  const business = pidsOf(before, 'business');
  const oldGateways = pidsOf(before, 'gateway');
  const old = [await clientOn(port, 1), await clientOn(port, 1), await clientOn(port, 2), await clientOn(port, 2)];
  const opened: TestClient[] = [...old];
  try {
    for (const [i, c] of old.entries()) assert.equal(await push(c, 'bindUid', [c.id, `u${i}`]), true);

    // ── up: a third gateway, slot 5 (1, 2 are gateways and 3, 4 business workers since the start) ──
    const up = await drover(p, ['ws', 'scale', '+1', '--role', 'gateway']);
    assert.match(up.stdout, /ws: gateway workers 2 → 3 in \d+ ms/);
    assert.match(up.stdout, /added worker 5: pid \d+/);
    let status = await statusJson(p, 'ws');
    assert.deepEqual(gatewayIds(status), [1, 2, 5]);
    assert.ok(status.workers.every((w) => w.state === 'ready'), JSON.stringify(status.workers));
    assert.deepEqual(pidsOf(status, 'business'), business, 'business workers untouched');
    assert.deepEqual(pidsOf(status, 'gateway').slice(0, 2), oldGateways, 'old gateways untouched');
    const table = await drover(p, ['ws', 'status']);
    assert.match(table.stdout, /5 workers \(3 gateway, 2 business\)/);

    const fresh = await clientOn(port, 5);
    opened.push(fresh);
    assert.equal(await push(fresh, 'bindUid', [fresh.id, 'new']), true);
    // Both ways between old and new gateways, from business workers that linked to it at runtime.
    assert.equal(await push(old[0]!, 'sendToUid', ['new', 'old→new']), 1);
    await fresh.next((t) => t === 'old→new');
    assert.equal(await push(fresh, 'sendToUid', ['u3', 'new→old']), 1);
    await old[3]!.next((t) => t === 'new→old');
    assert.equal(await push(fresh, 'sendToAll', ['hello all']), 5);
    await allGet([...old, fresh], 'hello all');
    assert.equal(await push(old[2]!, 'getClientCount', []), 5);
    for (const c of old) assert.equal(c.closeInfo, null, `client ${c.id} was closed by scale up`);

    // ── down: gateway 5 goes. Its client has a slow message in flight; the others keep talking ──
    const leaving = fresh;
    // Slower than the CLI takes to reach the master, so the gateway is told to go while it is in flight.
    leaving.send(JSON.stringify({ pathInfo: 'worker/WsTest/seq', n: 'last', ms: 2500 }));
    let sent = 0;
    let talking = true;
    const talk = (async () => {
      while (talking) {
        await Promise.all(old.map((c) => c.call<{ n: number }>('worker/WsTest/seq', { n: sent }).then((r) => assert.equal(r.type, 'seq', JSON.stringify(r)))));
        sent += 1;
      }
    })();
    const down = await drover(p, ['ws', 'scale', 'gateway=2']);
    talking = false;
    await talk;
    assert.match(down.stdout, /ws: gateway workers 3 → 2 in \d+ ms/);
    assert.match(down.stdout, /removed worker 5: pid \d+ \(drained\)/);
    const answer = await leaving.reply<{ n: string }>('worker/WsTest/seq');
    assert.equal(answer.data.n, 'last', 'the message in flight was answered before the close');
    const closed = await leaving.closed;
    assert.equal(closed.code, 1012);
    assert.equal(closed.reason, 'service restart');
    assert.ok(sent > 0, 'the other clients talked during the scale down');
    for (const c of old) assert.equal(c.closeInfo, null, `client ${c.id} was closed by scale down`);
    // Its close hook ran with the code (the business workers finished it before the gateway left).
    const hook = JSON.parse(fs.readFileSync(p.file(`hooks/close-${leaving.id}`), 'utf8')) as { code: number; uid: string };
    assert.deepEqual([hook.code, hook.uid], [1012, 'new']);

    status = await statusJson(p, 'ws');
    assert.deepEqual(gatewayIds(status), [1, 2]);
    assert.deepEqual(pidsOf(status, 'gateway'), oldGateways);
    assert.deepEqual(pidsOf(status, 'business'), business);
    assert.equal(p.exists('pidfiles/ws.gateway-5.sock'), false, 'the removed gateway\'s socket is gone');
    // The client reconnects (to a gateway that is there); pushes reach everyone still connected.
    const back = await client(port);
    opened.push(back);
    assert.ok([1, 2].includes(back.gateway));
    assert.equal(await push(back, 'sendToAll', ['after']), 5);
    await allGet([...old, back], 'after');
    assert.equal(await push(old[0]!, 'isUidOnline', ['new']), false);

    // ── reload keeps 2 gateways (scaled, the config says 2 too) and replaces only business workers ──
    const reload = await drover(p, ['ws', 'reload']);
    assert.match(reload.stdout, /gateway: 2 workers as set by scale \(the config says 2\)/);
    status = await statusJson(p, 'ws');
    assert.deepEqual(pidsOf(status, 'gateway'), oldGateways);
    // The config's gateway.count changes: the reload adds gateways (slot 5 again) without touching the others.
    const config = JSON.parse(p.read('config/worker_ws.json')) as Record<string, unknown>;
    p.writeConfig('ws', { ...config, gateway: { count: 3 } });
    const grown = await drover(p, ['ws', 'reload']);
    assert.match(grown.stdout, /gateway: the config's count changed \(2 → 3\), so it replaces the 2 set by scale/);
    status = await statusJson(p, 'ws');
    const added = status.workers.find((w) => w.id === 5);
    assert.equal(added?.role, 'gateway');
    assert.match(grown.stdout, new RegExp(`worker 5 \\(gateway\\): added, pid ${added!.pid}`));
    assert.deepEqual(pidsOf(status, 'gateway').slice(0, 2), oldGateways);
    const onNew = await clientOn(port, 5);
    opened.push(onNew);
    assert.equal(await push(onNew, 'sendToAll', ['reloaded']), 6);
    await allGet([...old, back, onNew], 'reloaded');
    for (const c of old) assert.equal(c.closeInfo, null, `client ${c.id} was closed by a reload`);
  } finally {
    for (const c of opened) c.ws.terminate();
  }
}));

test('a push client in another process finds a gateway added at runtime and stops using a removed one', TIMEOUT, scenario(async (p) => {
  const { port } = await startWs(p, { gateway: { count: 1 }, business: { count: 1 }, closeSpreadMs: 0 });
  await drover(p, ['ws', 'scale', 'gateway=2']);
  const onNew = await clientOn(port, 3);
  try {
    // The other process: what the HTTP service's code or a cron script does with the push API.
    const run = async () => {
      const r = await runScript(p, `
        import { createGateway } from ${JSON.stringify(new URL('../../dist/api/index.js', import.meta.url).href)};
        const gateway = createGateway({ root: process.cwd() });
        const sent = await gateway.sendToClient(${JSON.stringify(onNew.id)}, 'from a script');
        console.log(JSON.stringify({ sent, count: await gateway.getClientCount() }));
        await gateway.close();
      `);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as { sent: boolean; count: number };
    };
    assert.deepEqual(await run(), { sent: true, count: 1 });
    await onNew.next((t) => t === 'from a script');
    await drover(p, ['ws', 'scale', 'gateway=1']);
    assert.equal((await onNew.closed).code, 1012);
    await waitFor('the removed gateway\'s socket to go', () => !p.exists('pidfiles/ws.gateway-3.sock'));
    assert.deepEqual(await run(), { sent: false, count: 0 });
  } finally {
    onNew.ws.terminate();
  }
}));
