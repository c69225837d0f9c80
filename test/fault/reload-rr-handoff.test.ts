// Input path: `reload`, back to back, while clients open a new connection per request.
// Under round-robin scheduling the master hands every connection to a worker over IPC; a
// retiring worker that exited while a hand-off was on its way left that connection open in the
// master, unread, forever (issue 9; the barrier in src/worker/handoff-barrier.ts). Both
// policies, every request accounted for by a client of our own. DROVER_HEAVY=1 runs many more
// reloads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { describeCounts, startCountingLoad, type Counts } from '../helpers/counting-load.js';
import { startHttpDaemon } from '../helpers/daemon.js';
import { scenario } from '../helpers/scenario.js';
import { establishedTcpOf } from '../helpers/sockets.js';
import { statusJson, workerPids } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

const HEAVY = process.env.DROVER_HEAVY === '1';
const RELOADS = HEAVY ? 40 : 8;
const INDEX = '/worker/HttpExamples/index';

for (const policy of ['rr', 'none'] as const) {
  test(`${RELOADS} reloads back to back under new-connection load lose no request (schedulingPolicy "${policy}")`, { timeout: HEAVY ? 600_000 : 90_000 }, scenario(async (p) => {
    const port = await startHttpDaemon(p, { schedulingPolicy: policy, count: 2 });
    const master = p.pidOf('web')!;
    const first = workerPids(await statusJson(p, 'web'));
    const load = startCountingLoad(port, INDEX, { lanes: 4, answerTimeoutMs: 30_000 });
    let counts: Counts;
    try {
      await load.answered(20);
      for (let i = 0; i < RELOADS; i++) {
        const r = await runCli(p, ['web', 'reload'], { timeoutMs: 60_000 });
        assert.equal(r.code, 0, show(r));
      }
      await load.answered(20);
    } finally {
      counts = await load.stop();
    }
    // A lost hand-off is a connection the master keeps open, unread.
    const held = `; client connections the master holds now: ${establishedTcpOf(master)}`;
    assert.deepEqual(counts.failures, {}, describeCounts(counts) + held);
    assert.equal(counts.answered, counts.sent, describeCounts(counts));
    assert.deepEqual(Object.keys(counts.statuses), ['200'], describeCounts(counts));
    await waitFor('the master to hold no client connection', () => establishedTcpOf(master) === 0, { timeoutMs: 5000 });
    const status = await statusJson(p, 'web');
    assert.equal(status.generation, RELOADS + 1);
    assert.equal(status.master.pid, master, 'the same master throughout');
    assert.equal(workerPids(status).filter((pid) => first.includes(pid)).length, 0, 'every worker was replaced');
  }));
}
