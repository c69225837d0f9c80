// Redis for real beyond one node: two drover hosts (two project roots) on a Sentinel-managed
// primary and replica, the primary SIGKILLed while pushes run both ways; and a TLS Redis with
// an ACL user, a self-signed certificate made by the test (openssl) and a password that needs
// percent-encoding. The failover test reports the gap it measured: how long pushes to the
// other host were lost, and how many.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { createProject, type Project } from '../helpers/project.js';
import { ask, selfSignedCert, startRedis, startSentinel } from '../helpers/redis.js';
import { scenario } from '../helpers/scenario.js';
import { waitFor } from '../helpers/wait.js';
import { TestClient } from '../helpers/ws-client.js';
import { pidsOf, startWs } from '../helpers/ws-service.js';

const TIMEOUT = { timeout: 120_000 };
const ONE_EACH = { gateway: { count: 1 }, business: { count: 1 } };

async function push(from: TestClient, op: string, ...args: unknown[]): Promise<unknown> {
  const reply = await from.call<{ result: unknown }>('worker/WsTest/push', { op, args });
  assert.equal(reply.type, 'push', `${op}(${JSON.stringify(args)}) → ${JSON.stringify(reply)}`);
  return reply.data.result;
}

/** Host A and host B on the same redis config, one client each, both counting 2 clients. */
async function twoHosts(a: Project, t: { after(fn: () => unknown): void }, redis: unknown, prepare: (b: Project) => void = () => undefined) {
  const b = await createProject(t);
  prepare(b);
  const hostA = await startWs(a, { redis, ...ONE_EACH });
  const hostB = await startWs(b, { redis, ...ONE_EACH });
  const a1 = await TestClient.connect(hostA.port);
  const b1 = await TestClient.connect(hostB.port);
  await Promise.all([a1.whoami(), b1.whoami()]);
  await waitFor('both hosts counting 2 clients', async () => (await push(a1, 'getClientCount')) === 2 && (await push(b1, 'getClientCount')) === 2, { timeoutMs: 20_000 });
  return { b, hostA, hostB, a1, b1 };
}

test('Sentinel failover: pushes between two hosts resume through the promoted replica, no gateway crashes', TIMEOUT, scenario(async (a, t) => {
  const primary = await startRedis(a);
  const replica = await startRedis(a, { args: ['--replicaof', '127.0.0.1', String(primary.port)] });
  await waitFor('the replica in sync', async () => (await ask(replica.port, 'INFO replication')).includes('master_link_status:up') || null);
  const sentinel = await startSentinel(a, primary.port);
  const { b, hostA, hostB, a1, b1 } = await twoHosts(a, t, { sentinels: [`127.0.0.1:${sentinel.port}`], name: 'mymaster' });
  const gateways = [...pidsOf(hostA.status, 'gateway'), ...pidsOf(hostB.status, 'gateway')];

  // Pushes both ways, one at a time each way, numbered; each remembers when it was sent and whether it arrived.
  const sent: Array<{ from: 'A' | 'B'; n: number; at: number; delivered: boolean }> = [];
  let running = true;
  const pushLoop = async (from: TestClient, to: TestClient, name: 'A' | 'B') => {
    for (let n = 0; running; n++) {
      const at = Date.now();
      const delivered = (await push(from, 'sendToClient', to.id, `${name}#${n}`)) === true;
      sent.push({ from: name, n, at, delivered });
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const loops = Promise.all([pushLoop(b1, a1, 'B'), pushLoop(a1, b1, 'A')]);
  await waitFor('pushes crossing both ways', () => sent.filter((s) => s.delivered).length >= 20);

  await primary.kill();
  const killedAt = Date.now();
  const resumed = await waitFor(
    'pushes crossing both ways again after the failover',
    () => {
      const after = (from: string) => sent.find((s) => s.from === from && s.at > killedAt && s.delivered);
      const [ab, ba] = [after('A'), after('B')];
      return ab && ba ? Math.max(ab.at, ba.at) : null;
    },
    { timeoutMs: 45_000, intervalMs: 20 },
  );
  await waitFor('a few more pushes after the failover', () => sent.filter((s) => s.at > resumed && s.delivered).length >= 10);
  running = false;
  await loops;

  const lost = sent.filter((s) => s.at > killedAt && !s.delivered);
  t.diagnostic(`failover gap: pushes to the other host resumed ${resumed - killedAt} ms after the primary was killed; ${lost.length} of ${sent.filter((s) => s.at > killedAt).length} pushes sent since were reported not delivered (false), none replayed`);
  assert.equal((await ask(replica.port, 'INFO replication')).includes('role:master'), true, 'the sentinel promoted the replica');

  // Every push that said "delivered" arrived, and what arrived came in order. (One whose answer
  // came after the relay's 1 s wait may have arrived though it said false.)
  for (const [to, from] of [[a1, 'B'], [b1, 'A']] as const) {
    const got = to.inbox.map((m) => m.text).filter((text) => text.startsWith(`${from}#`)).map((text) => Number(text.slice(2)));
    const missing = sent.filter((s) => s.from === from && s.delivered && !got.includes(s.n)).map((s) => s.n);
    assert.deepEqual(missing, [], `pushes from host ${from} said delivered but never reached ${to.id}`);
    assert.deepEqual(got, [...got].sort((x, y) => x - y), `pushes from host ${from} arrived in order`);
  }
  for (const pid of gateways) assert.doesNotThrow(() => process.kill(pid, 0), `gateway ${pid} survived the failover`);
  assert.ok(a1.open && b1.open, 'the clients stayed connected');
  assert.equal(await push(b1, 'getClientCount'), 2);
  for (const p of [a, b]) {
    const log = p.read('logs/ws.log');
    assert.match(log, /redis: sentinel mymaster@127\.0\.0\.1:\d+ is unreachable/);
    assert.doesNotMatch(log, /^\s+at |Warning|Unhandled/m, 'no stack trace or warning in the log');
  }
  await Promise.all([a1.close(), b1.close()]);
}));

test('rediss:// with a self-signed CA and an ACL user (the documented minimal rights) whose password needs encoding: pushes cross, the password is never logged', TIMEOUT, scenario(async (a, t) => {
  const { cert, key } = selfSignedCert(a);
  const password = 'p@ss/w0rd:x';
  const redis = await startRedis(a, { tls: { cert, key }, args: ['--user', 'default', 'off', '--user', 'app', 'on', `>${password}`, '&*', '+publish', '+subscribe', '+unsubscribe', '+ping', '+info'] });
  const url = `rediss://app:${encodeURIComponent(password)}@127.0.0.1:${redis.port}`;
  // Each host has the CA in its own root (the path is relative to the project root).
  const { b, a1, b1 } = await twoHosts(a, t, { url, tls: { ca: 'tls/redis-cert.pem' } }, (b) => b.writeFile('tls/redis-cert.pem', fs.readFileSync(cert, 'utf8')));
  assert.equal(await push(b1, 'sendToClient', a1.id, 'over TLS'), true);
  await a1.next((m) => m === 'over TLS');
  assert.equal(await push(a1, 'sendToClient', b1.id, 'and back'), true);
  await b1.next((m) => m === 'and back');
  for (const p of [a, b]) {
    const log = p.read('logs/ws.log');
    assert.match(log, new RegExp(`redis: connected to rediss://127\\.0\\.0\\.1:${redis.port}`));
    assert.ok(!log.includes('p@ss') && !log.includes('w0rd'), 'no part of the password in the log');
  }
  await Promise.all([a1.close(), b1.close()]);
}));
