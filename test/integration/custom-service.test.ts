// A custom service (no `listen`, a `handler` module): every worker runs onWorkerStart, and a
// stop runs onWorkerStop in each before it exits.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { TICKER_HANDLER } from '../helpers/fixtures.js';
import { isAlive } from '../helpers/processes.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson, workerPids } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

test('custom service: both workers run onWorkerStart; stop runs onWorkerStop', { timeout: 90_000 }, scenario(async (p) => {
  p.writeFile('handlers/ticker.js', TICKER_HANDLER);
  p.writeConfig('ticker', { handler: 'handlers/ticker.js', count: 2 });
  const started = await runCli(p, ['ticker', 'start', '-d']);
  p.track(p.pidOf('ticker'));
  assert.equal(started.code, 0, show(started));

  const status = await statusJson(p, 'ticker');
  assert.equal(status.kind, 'custom');
  assert.equal(status.state, 'running');
  assert.deepEqual(status.listen, []);
  const workers = workerPids(status);
  assert.equal(workers.length, 2);
  for (const w of status.workers) {
    assert.equal(w.role, 'ticker');
    assert.equal(w.state, 'ready');
  }

  // onWorkerStart ran before ready, in each worker, with its context.
  const startedFiles = fs.readdirSync(p.file('ticks')).filter((f) => f.startsWith('started-')).sort();
  assert.deepEqual(startedFiles, workers.map((pid) => `started-${pid}`).sort());
  const contexts = workers.map((pid) => JSON.parse(fs.readFileSync(p.file(`ticks/started-${pid}`), 'utf8')));
  assert.deepEqual(contexts.map((c) => c.workerId).sort(), [1, 2]);
  for (const [i, c] of contexts.entries()) {
    assert.deepEqual(
      { service: c.service, role: c.role, pid: c.pid, generation: c.generation, debug: c.debug, root: c.root },
      { service: 'ticker', role: 'ticker', pid: workers[i], generation: 1, debug: false, root: p.root },
    );
  }

  const stopped = await runCli(p, ['ticker', 'stop']);
  assert.equal(stopped.code, 0, show(stopped));
  for (const pid of workers) {
    assert.ok(p.exists(`ticks/stopped-${pid}`), `onWorkerStop ran in worker ${pid}`);
    await waitFor(`worker ${pid} to be gone`, () => !isAlive(pid));
  }
  assert.equal(p.pidOf('ticker'), null, 'pidfile removed');
}));
