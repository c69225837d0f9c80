// `scale` under load: workers added and removed while our own client accounts for every
// request (keep-alive, and a new connection per request); none fails, the other workers are
// untouched, the new ones answer, the removed ones drain and exit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countingClient } from '../helpers/counting-client.js';
import { drover, startPidApp } from '../helpers/pid-app.js';
import { isAlive } from '../helpers/processes.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson, workerPids } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 90_000 };

for (const keepAlive of [true, false]) {
  test(`scale +2 then -3 under load (${keepAlive ? 'keep-alive' : 'a new connection per request'}): no request fails, the other workers stay`, TIMEOUT, scenario(async (p) => {
    const port = await startPidApp(p, 2);
    const first = workerPids(await statusJson(p, 'web'));
    const client = countingClient(`http://127.0.0.1:${port}/`, { keepAlive, concurrency: 4 });
    try {
      await client.answers(200);
      const up = await drover(p, ['web', 'scale', '+2']);
      assert.match(up.stdout, /web: http workers 2 → 4/);
      let status = await statusJson(p, 'web');
      assert.equal(status.workers.length, 4);
      assert.ok(status.workers.every((w) => w.state === 'ready'), JSON.stringify(status.workers));
      assert.deepEqual(status.workers.slice(0, 2).map((w) => w.pid), first, 'workers 1 and 2 untouched');
      const added = status.workers.slice(2).map((w) => w.pid!);
      for (const pid of added) assert.match(up.stdout, new RegExp(`added worker \\d: pid ${pid}`));
      // Keep-alive connections stay with the worker that accepted them: new ones reach the new workers.
      const fresh = keepAlive ? countingClient(`http://127.0.0.1:${port}/`, { keepAlive: false, concurrency: 2 }) : client;
      await waitFor('the new workers answering', () => added.every((pid) => fresh.result.pids.has(pid)));
      if (fresh !== client) assert.equal((await fresh.stop()).failed, 0);

      const down = await drover(p, ['web', 'scale', '-3']);
      assert.match(down.stdout, /web: http workers 4 → 1/);
      assert.equal((down.stdout.match(/removed worker \d: pid \d+ \(drained\)/g) ?? []).length, 3, down.stdout);
      status = await statusJson(p, 'web');
      assert.deepEqual(workerPids(status), [first[0]], 'worker 1 alone, the same process');
      for (const pid of [first[1]!, ...added]) assert.equal(isAlive(pid), false, `removed worker ${pid} exited`);
      const served = client.result.ok;
      await client.answers(served + 100 + client.result.failed);
    } finally {
      const r = await client.stop();
      assert.equal(r.failed, 0, `failures: ${JSON.stringify(r.failures)} out of ${r.sent}`);
      assert.equal(r.ok, r.sent, 'every request sent was answered');
    }
  }));
}

