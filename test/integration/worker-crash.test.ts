// kill -9 of a ready worker: the master respawns it in the same slot (after its back-off),
// counts the restart and the exit, and the new process serves.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { getJson } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { isAlive, killQuietly } from '../helpers/processes.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

test('kill -9 of a worker → a new pid in the same slot serves; restarts 1; exits show SIGKILL', { timeout: 90_000 }, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2, backoff: { initialMs: 50 } });
  const started = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(started.code, 0, show(started));

  const before = await statusJson(p, 'web');
  const victim = before.workers.find((w) => w.id === 1)!;
  const other = before.workers.find((w) => w.id === 2)!;
  killQuietly(victim.pid!, 'SIGKILL');
  await waitFor(`worker pid ${victim.pid} to be gone`, () => !isAlive(victim.pid!));

  const after = await waitFor('slot 1 to hold a new ready worker', async () => {
    const s = await statusJson(p, 'web');
    const row = s.workers.find((w) => w.id === 1);
    return row && row.pid !== victim.pid && row.state === 'ready' ? s : null;
  });
  const slot1 = after.workers.find((w) => w.id === 1)!;
  const slot2 = after.workers.find((w) => w.id === 2)!;
  assert.ok(isAlive(slot1.pid!), `the new worker ${slot1.pid} is alive`);
  assert.equal(slot1.restarts, 1, JSON.stringify(slot1));
  assert.equal(slot2.pid, other.pid, 'the other slot was not touched');
  assert.equal(slot2.restarts, 0);
  assert.equal(after.state, 'running');
  assert.equal(after.master.pid, before.master.pid);
  assert.deepEqual(after.exits, [{ code: null, signal: 'SIGKILL', count: 1 }]);
  assert.match(slot1.lastError ?? '', /SIGKILL/, 'the slot remembers why its last worker died');

  const table = await runCli(p, ['web', 'status']);
  assert.match(table.stdout, /unexpected exits: SIGKILL × 1/, show(table));

  // The new process serves: fresh connections go round robin over both workers.
  await waitFor(`a request served by the new worker ${slot1.pid}`, async () => {
    const answer = await getJson<{ pid: number }>(port, '/worker/HttpExamples/index');
    return answer.pid === slot1.pid;
  });
}, { allowLog: [/exited unexpectedly \(SIGKILL\); respawning/] }));
