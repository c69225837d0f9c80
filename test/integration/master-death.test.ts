// SIGKILL of the master: no orphans. Idle workers notice the closed IPC channel; a worker
// stuck in a busy loop never runs that handler and is killed by the master's sentinel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { BUSY_CONTROLLER } from '../helpers/fixtures.js';
import { startForeground } from '../helpers/foreground.js';
import { request } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { isAlive, killQuietly, pidsUnder } from '../helpers/processes.js';
import type { Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson, workerPids } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 90_000 };

/** Sends /worker/Busy/spin and resolves with the pid of the worker now spinning. */
async function makeOneWorkerSpin(p: Project, port: number, workers: number[]): Promise<number> {
  const spin = request(port, '/worker/Busy/spin', { timeoutMs: 120_000 });
  spin.catch(() => undefined); // never answered; cut when the worker dies
  return waitFor('a worker to start spinning', () => workers.find((pid) => p.exists(`spinning-${pid}`)));
}

test('daemon master SIGKILLed → every worker exits, the busy one included', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 3 });
  p.writeFile('app/worker/controller/Busy.ts', BUSY_CONTROLLER);
  const started = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(started.code, 0, show(started));
  const status = await statusJson(p, 'web');
  const workers = workerPids(status);
  assert.equal(workers.length, 3);

  const busy = await makeOneWorkerSpin(p, port, workers);
  killQuietly(status.master.pid, 'SIGKILL');
  for (const pid of workers) {
    await waitFor(`${pid === busy ? 'busy ' : ''}worker ${pid} to exit after the master died`, () => !isAlive(pid));
  }
  await waitFor('nothing left running in the project (sentinel included)', () => pidsUnder(p.root).length === 0);
}));

test('foreground master SIGKILLed → every worker exits, the busy one included', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2 });
  p.writeFile('app/worker/controller/Busy.ts', BUSY_CONTROLLER);
  const master = await startForeground(p, 'web');
  const [, list] = await master.waitForOutput(/ running: \d+ workers \(([\d, ]+)\)/);
  const workers = list!.split(',').map((s) => Number(s.trim()));
  p.track(...workers);

  const busy = await makeOneWorkerSpin(p, port, workers);
  master.kill('SIGKILL');
  await master.waitForExit();
  for (const pid of workers) {
    await waitFor(`${pid === busy ? 'busy ' : ''}worker ${pid} to exit after the master died`, () => !isAlive(pid));
  }
  await waitFor('nothing left running in the project (sentinel included)', () => pidsUnder(p.root).length === 0);
}));
