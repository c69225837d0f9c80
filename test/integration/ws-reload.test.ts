// Reloads and crashes in the WebSocket service: `ws reload` under traffic replaces the
// business workers only, drops no client and answers every message, the new code answering
// afterwards; a business worker killed with SIGKILL costs at most the message it was handling;
// a gateway killed with SIGKILL loses its own clients only.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { isAlive, killQuietly } from '../helpers/processes.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';
import { TestClient, clientsOnEveryGateway, parseReply } from '../helpers/ws-client.js';
import { pidsOf, startWs } from '../helpers/ws-service.js';

const TIMEOUT = { timeout: 120_000 };

/** Each client sends WsTest/version, waits for the answer, sends again, until stopped. */
class Traffic {
  readonly replies = new Map<TestClient, Array<{ type: string; data: unknown; sentAt: number }>>();
  private running = true;
  private readonly loops: Array<Promise<void>>;

  constructor(readonly clients: TestClient[]) {
    this.loops = clients.map((client) => this.loop(client));
  }

  private async loop(client: TestClient): Promise<void> {
    const replies: Array<{ type: string; data: unknown; sentAt: number }> = [];
    this.replies.set(client, replies);
    while (this.running && client.open) {
      const sentAt = Date.now();
      client.send(JSON.stringify({ pathInfo: 'worker/WsTest/version' }));
      const reply = parseReply(await client.next(undefined, 15_000, 'the answer to version'))!;
      replies.push({ type: reply.type, data: reply.data, sentAt });
    }
  }

  /** Resolves once every client has had `n` replies sent after `since`. */
  async until(what: string, test: (r: { type: string; data: unknown; sentAt: number }) => boolean, n = 3): Promise<void> {
    await waitFor(what, () => [...this.replies.values()].every((list) => list.filter(test).length >= n), { timeoutMs: 30_000 });
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

test('reload under traffic: business workers replaced, no client dropped, every message answered, new code answering', TIMEOUT, scenario(async (p) => {
  const { port, status } = await startWs(p);
  const gateways = pidsOf(status, 'gateway');
  const oldBusiness = pidsOf(status, 'business');
  const clients = (await clientsOnEveryGateway(port, 2, 5)).flat();
  const traffic = new Traffic(clients);
  await traffic.until('v1 answers', (r) => r.data === 'v1');

  const file = p.file('app/worker/controller/WsTest.ts');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace("return 'v1';", "return 'v2';"));
  const reload = await runCli(p, ['ws', 'reload'], { timeoutMs: 60_000 });
  assert.equal(reload.code, 0, show(reload));
  const reloadedAt = Date.now();
  const pairs = [...reload.stdout.matchAll(/worker (\d+): (\d+) → (\d+)/g)].map((m) => ({ id: Number(m[1]), oldPid: Number(m[2]), newPid: Number(m[3]) }));
  assert.deepEqual(pairs.map((x) => x.id).sort(), [3, 4], `only the business slots are reloaded${show(reload)}`);
  p.track(...pairs.map((x) => x.newPid));

  await traffic.until('v2 answers sent after the reload', (r) => r.data === 'v2' && r.sentAt > reloadedAt);
  await traffic.stop();

  for (const client of clients) {
    assert.ok(client.open, `client ${client.id} still connected (closed: ${JSON.stringify(client.closeInfo)})`);
    const replies = traffic.replies.get(client)!;
    const errors = replies.filter((r) => r.type !== 'version');
    assert.deepEqual(errors, [], `client ${client.id}: every message answered`);
    const versions = replies.map((r) => r.data);
    const firstV2 = versions.indexOf('v2');
    assert.ok(firstV2 > 0 && versions.slice(firstV2).every((v) => v === 'v2'), `client ${client.id}: v1 until the switch, then v2 only: ${versions.join(' ')}`);
    assert.ok(replies.filter((r) => r.sentAt > reloadedAt).every((r) => r.data === 'v2'), `client ${client.id}: the new code answers once reload returned`);
  }
  const after = await statusJson(p, 'ws');
  assert.deepEqual(pidsOf(after, 'gateway'), gateways, 'the gateways were not touched');
  for (const pid of oldBusiness) assert.equal(isAlive(pid), false, `old business worker ${pid} is gone`);
  assert.equal(after.workers.filter((w) => w.role === 'gateway').reduce((n, w) => n + w.connections, 0), clients.length);
  assert.deepEqual(after.exits, []);
  await Promise.all(clients.map((c) => c.close()));
}));

test('a business worker killed with SIGKILL: its clients are served by the others, then by its replacement', TIMEOUT, scenario(async (p) => {
  const { port, status } = await startWs(p);
  const [victim, survivor] = pidsOf(status, 'business') as [number, number];
  const clients = (await clientsOnEveryGateway(port, 2, 4)).flat();
  const traffic = new Traffic(clients);
  await traffic.until('answers from both business workers', () => true, 3);

  killQuietly(victim, 'SIGKILL');
  const killedAt = Date.now();
  const replacement = await waitFor('the business worker respawned', async () => {
    const s = await statusJson(p, 'ws');
    const row = s.workers.find((w) => w.role === 'business' && w.pid !== survivor);
    return row && row.pid !== victim && row.state === 'ready' ? row.pid : null;
  });
  await traffic.until('answers after the crash', (r) => r.sentAt > killedAt + 50 && r.type === 'version', 10);
  await traffic.stop();

  for (const client of clients) {
    assert.ok(client.open, `client ${client.id} still connected`);
    const replies = traffic.replies.get(client)!;
    const errors = replies.filter((r) => r.type !== 'version');
    // The one message the killed worker was handling, if any, is answered with a 503.
    assert.ok(errors.length <= 1, `client ${client.id}: at most the message in flight is lost: ${JSON.stringify(errors)}`);
    for (const e of errors) assert.equal((e.data as { code: number }).code, 503, JSON.stringify(e));
    assert.ok(replies.filter((r) => r.sentAt > killedAt).some((r) => r.type === 'version'), `client ${client.id}: answered after the crash`);
  }
  // The replacement gets its clients back.
  const served = new Set<number>();
  for (const client of clients) served.add((await client.call<{ pid: number }>('worker/WsTest/whoami')).data.pid);
  assert.ok(served.has(replacement!), `the replacement ${replacement} serves again (served by ${[...served].join(', ')})`);
  const after = await statusJson(p, 'ws');
  assert.deepEqual(after.exits, [{ code: null, signal: 'SIGKILL', count: 1 }]);
  await Promise.all(clients.map((c) => c.close()));
}, { allowLog: [/exited unexpectedly \(SIGKILL\); respawning/] }));

test('a gateway killed with SIGKILL loses its own clients only; its replacement serves new ones', TIMEOUT, scenario(async (p) => {
  const { port, status } = await startWs(p);
  const [gateway1] = pidsOf(status, 'gateway') as [number, number];
  const [ones, twos] = (await clientsOnEveryGateway(port, 2, 3)) as [TestClient[], TestClient[]];

  killQuietly(gateway1, 'SIGKILL');
  for (const client of ones) assert.equal((await client.closed).code, 1006, 'the killed gateway took its clients with it');
  for (const client of twos) {
    assert.ok(client.open);
    assert.equal((await client.call('worker/WsTest/version')).data, 'v1', 'the other gateway keeps serving');
  }
  await waitFor('gateway 1 respawned', async () => {
    const s = await statusJson(p, 'ws');
    const row = s.workers.find((w) => w.id === 1)!;
    return row.pid !== gateway1 && row.state === 'ready';
  });
  // Business workers reconnect to the new gateway 1: a client there is served, and pushes reach it.
  const [[fresh], [another]] = (await clientsOnEveryGateway(port, 2, 1)) as [[TestClient], [TestClient]];
  assert.equal(fresh.gateway, 1);
  const sent = await waitFor('a push to every gateway', async () => {
    const reply = await twos[0]!.call<{ result: number }>('worker/WsTest/push', { op: 'sendToAll', args: ['after-crash', []] });
    return reply.data.result === 5 ? reply.data.result : null;
  });
  assert.equal(sent, 5, 'three old and one new client on gateway 2, one new on gateway 1');
  await fresh.next((t) => t === 'after-crash');
  for (const client of twos) assert.ok(client.open);
  await Promise.all([fresh, another, ...twos].map((c) => c.close()));
}, { allowLog: [/exited unexpectedly \(SIGKILL\); respawning/] }));
