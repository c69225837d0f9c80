// `scale business=…` under a message load: every message is answered, in order, while business
// workers are added and removed; clients pinned to a removed worker move to a remaining one.
// And the refusals: no gateways at all, a role that does not exist, a scale during a reload:
// each a coded error that changes nothing (same pids, same counts, clients still served).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { drover } from '../helpers/pid-app.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';
import { TestClient } from '../helpers/ws-client.js';
import { pidsOf, startWs } from '../helpers/ws-service.js';

const TIMEOUT = { timeout: 90_000 };

interface Talker {
  sent: number;
  answered: number;
  /** Error replies, replies out of order, replies that never came. */
  lost: string[];
  pids: Set<number>;
  /** Which business pid answered each of the last messages. */
  lastPid: number;
}

/** One client sending a message, waiting for its answer, again, until `running()` is false. */
async function talk(c: TestClient, t: Talker, running: () => boolean): Promise<void> {
  while (running()) {
    const n = t.sent++;
    try {
      const r = await c.call<{ n: number; pid: number }>('worker/WsTest/seq', { n }, 15_000);
      if (r.type !== 'seq' || r.data.n !== n) t.lost.push(`${c.id} #${n}: ${JSON.stringify(r)}`);
      else {
        t.answered += 1;
        t.pids.add(r.data.pid);
        t.lastPid = r.data.pid;
      }
    } catch (error) {
      t.lost.push(`${c.id} #${n}: ${(error as Error).message.slice(0, 200)}`);
    }
  }
}

test('business workers scale up and down under a message load: every message answered in order, clients move off removed workers', TIMEOUT, scenario(async (p) => {
  const { port, status: before } = await startWs(p);
  const gateways = pidsOf(before, 'gateway');
  const clients = await Promise.all(Array.from({ length: 8 }, () => TestClient.connect(port)));
  try {
    for (const c of clients) await c.whoami();
    const talkers = clients.map((): Talker => ({ sent: 0, answered: 0, lost: [], pids: new Set(), lastPid: 0 }));
    let running = true;
    const load = Promise.all(clients.map((c, i) => talk(c, talkers[i]!, () => running)));
    const answered = () => talkers.reduce((a, t) => a + t.answered, 0);
    await waitFor('the load to run', () => answered() > 50);

    const up = await drover(p, ['ws', 'scale', 'business=+2']);
    assert.match(up.stdout, /business workers 2 → 4/);
    const four = pidsOf(await statusJson(p, 'ws'), 'business');
    assert.equal(four.length, 4);
    const added = four.slice(2);
    // The new workers take their share of the clients (gateways pin clients to business slots).
    const mark = answered();
    await waitFor('the new business workers to answer', () => answered() > mark + 100 && added.every((pid) => talkers.some((t) => t.lastPid === pid)));

    const down = await drover(p, ['ws', 'scale', '1', '--role', 'business']);
    assert.match(down.stdout, /business workers 4 → 1/);
    assert.equal((down.stdout.match(/removed worker \d+: pid \d+ \(drained\)/g) ?? []).length, 3);
    const after = await statusJson(p, 'ws');
    const [left] = pidsOf(after, 'business');
    assert.deepEqual(pidsOf(after, 'business'), [four[0]]);
    const mark2 = answered();
    await waitFor('every client to be answered by the remaining worker', () => answered() > mark2 + 50 && talkers.every((t) => t.lastPid === left));
    running = false;
    await load;

    const lost = talkers.flatMap((t) => t.lost);
    assert.deepEqual(lost, [], 'no message lost, failed or out of order');
    for (const [i, t] of talkers.entries()) assert.equal(t.answered, t.sent, `client ${i}`);
    assert.ok(talkers.some((t) => added.some((pid) => t.pids.has(pid))), 'some clients were served by the added workers');
    for (const c of clients) assert.equal(c.closeInfo, null, `client ${c.id} was closed`);
    assert.deepEqual(pidsOf(after, 'gateway'), gateways, 'gateways untouched');
  } finally {
    for (const c of clients) c.ws.terminate();
  }
}));

test('refused, and nothing changes: no gateways at all, an unknown role, a scale during a reload', TIMEOUT, scenario(async (p) => {
  // Business workers that take a while to start when the file "slow" exists: a reload that lasts.
  p.writeFile('app/slow/Slow.ts', `
    import fs from 'node:fs';
    import path from 'node:path';
    export async function onWorkerStart(worker) {
      if (fs.existsSync(path.join(worker.root, 'slow'))) await new Promise((r) => setTimeout(r, 1500));
    }
  `);
  const { port, status: before } = await startWs(p);
  const c = await TestClient.connect(port);
  try {
    await c.whoami();
    const zero = await drover(p, ['ws', 'scale', 'gateway=0'], 1);
    assert.match(zero.stderr, /gateway would have 0 workers; the count must be from 1 to 256/);
    assert.match(zero.stderr, /code: DROVER_ERR_SCALE_REFUSED/);
    assert.match(zero.stderr, /hint: /);
    const minus = await drover(p, ['ws', 'scale', '-2', '--role', 'gateway'], 1);
    assert.match(minus.stderr, /DROVER_ERR_SCALE_REFUSED/);
    const bogus = await drover(p, ['ws', 'scale', '+1', '--role', 'gatekeeper'], 1);
    assert.match(bogus.stderr, /ws has no "gatekeeper" workers \(its roles: gateway, business\)/);
    assert.match(bogus.stderr, /DROVER_ERR_SCALE_REFUSED/);
    const differ = await drover(p, ['ws', 'scale', 'gateway=3', '--role', 'business'], 2);
    assert.match(differ.stderr, /DROVER_ERR_USAGE/);
    let status = await statusJson(p, 'ws');
    assert.deepEqual(status.workers.map((w) => w.pid), before.workers.map((w) => w.pid), 'every worker survived, none added');

    // A scale while a reload runs: refused at once (not queued behind it), the reload unharmed.
    p.writeFile('slow', '');
    const reload = runCli(p, ['ws', 'reload'], { timeoutMs: 60_000 });
    await waitFor('the reload to be running', async () => (await statusJson(p, 'ws')).state === 'reloading');
    const during = await drover(p, ['ws', 'scale', 'gateway=+1'], 1);
    assert.match(during.stderr, /ws is reloading/);
    assert.match(during.stderr, /hint: wait for the reload to finish/);
    assert.match(during.stderr, /DROVER_ERR_SCALE_REFUSED/);
    const reloaded = await reload;
    assert.equal(reloaded.code, 0, show(reloaded));
    status = await statusJson(p, 'ws');
    assert.deepEqual(pidsOf(status, 'gateway'), pidsOf(before, 'gateway'), 'gateways survived, none added');
    assert.equal(pidsOf(status, 'business').length, 2);
    assert.equal(c.closeInfo, null);
    const served = await c.call<{ generation: number }>('worker/WsTest/whoami');
    assert.equal(served.data.generation, 2, 'the client is served by the reloaded workers');
  } finally {
    c.ws.terminate();
  }
}));
