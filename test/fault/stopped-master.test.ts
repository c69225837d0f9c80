// Input path: the CLI against a master that does not answer (SIGSTOP; a master stuck in a
// synchronous task looks the same from outside). Every command fails by itself within a bound,
// with its own code; nothing an abandoned command asked for runs when the master resumes; and
// `stop --force` ends the master and every worker by pid and removes its files.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { runCli, show, type CliResult } from '../helpers/cli.js';
import { startHttpDaemon } from '../helpers/daemon.js';
import { request } from '../helpers/http.js';
import { isAlive, killQuietly } from '../helpers/processes.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson, workerPids } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 90_000 };
const INDEX = '/worker/HttpExamples/index';
/** The CLI's own bound is about 6 s; the helper kills it at this, which then fails the test. */
const HELPER_KILL_MS = 20_000;

function failsByItself(r: CliResult, code: string, pid: number): void {
  assert.notEqual(r.signal, 'SIGKILL', `still waiting after ${HELPER_KILL_MS} ms${show(r)}`);
  assert.equal(r.code, 1, show(r));
  assert.match(r.stderr, new RegExp(`code: ${code}\\b`), show(r));
  assert.match(r.stderr, new RegExp(`\\b${pid}\\b`), `names the master's pid${show(r)}`);
}

test('reload and stop against a stopped master fail with DROVER_ERR_CONTROL_TIMEOUT, and do not run when it resumes', TIMEOUT, scenario(async (p) => {
  const port = await startHttpDaemon(p);
  const before = await statusJson(p, 'web');
  const master = before.master.pid;
  killQuietly(master, 'SIGSTOP');
  let resumed = false;
  try {
    const [reload, stop] = await Promise.all([
      runCli(p, ['web', 'reload'], { timeoutMs: HELPER_KILL_MS }),
      runCli(p, ['web', 'stop'], { timeoutMs: HELPER_KILL_MS }),
    ]);
    failsByItself(reload, 'DROVER_ERR_CONTROL_TIMEOUT', master);
    failsByItself(stop, 'DROVER_ERR_CONTROL_TIMEOUT', master);
    assert.match(stop.stderr, /stop --force/, 'the hint names the way out');
    killQuietly(master, 'SIGCONT');
    resumed = true;
    // The master reads both requests now, after their deadline, and drops them.
    await waitFor('the master to drop both late requests', () => (p.read('logs/web.log').match(/control request "(reload|stop)" dropped/g) ?? []).length === 2);
  } finally {
    if (!resumed) killQuietly(master, 'SIGCONT');
  }
  const after = await statusJson(p, 'web');
  assert.equal(after.master.pid, master, 'the master was not stopped by the abandoned stop');
  assert.equal(after.generation, 1, 'the abandoned reload did not run');
  assert.deepEqual(workerPids(after), workerPids(before), 'the same workers');
  assert.equal((await request(port, INDEX)).status, 200, 'and they serve');
}));

test('stop --force against a stopped master kills it and its workers by pid and removes its files', TIMEOUT, scenario(async (p) => {
  const port = await startHttpDaemon(p);
  const status = await statusJson(p, 'web');
  const master = status.master.pid;
  const workers = workerPids(status);
  killQuietly(master, 'SIGSTOP');
  const r = await runCli(p, ['web', 'stop', '--force'], { timeoutMs: HELPER_KILL_MS });
  assert.equal(r.code, 0, show(r));
  assert.match(r.stdout, new RegExp(`web stopped \\(master pid ${master}\\)`), show(r));
  await waitFor('the master and every worker to be gone', () => [master, ...workers].every((pid) => !isAlive(pid)));
  const files = p.service('web');
  for (const file of [files.pidfile, files.lock, files.socket]) assert.ok(!fs.existsSync(file), `${file} removed`);
  await assert.rejects(request(port, INDEX, { timeoutMs: 2000 }), 'nothing serves the port any more');
  // And the service starts again at once: no stale lock to wait out.
  const again = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(again.code, 0, show(again));
  assert.equal((await request(port, INDEX)).status, 200);
  assert.equal((await runCli(p, ['web', 'stop'])).code, 0);
}));

test('stop --force on a master that answers lets it clean up itself', TIMEOUT, scenario(async (p) => {
  await startHttpDaemon(p);
  const status = await statusJson(p, 'web');
  const r = await runCli(p, ['web', 'stop', '--force'], { timeoutMs: HELPER_KILL_MS });
  assert.equal(r.code, 0, show(r));
  assert.ok([status.master.pid, ...workerPids(status)].every((pid) => !isAlive(pid)));
  assert.match(p.read('logs/web.log'), /stopping 2 workers \(force/, 'the master did it, and said so');
}));
