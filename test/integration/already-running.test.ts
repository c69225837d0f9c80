// A second start of a running service is refused, names the running master's pid, and leaves
// the first one untouched: whether either of them is a daemon or in the foreground.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { startForeground } from '../helpers/foreground.js';
import { getJson } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { isAlive } from '../helpers/processes.js';
import type { Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';

const TIMEOUT = { timeout: 90_000 };

async function assertStillServing(p: Project, port: number, masterPid: number): Promise<void> {
  assert.equal(p.pidOf('web'), masterPid, 'the pidfile still names the first master');
  assert.ok(isAlive(masterPid), 'the first master is alive');
  const status = await statusJson(p, 'web');
  assert.equal(status.master.pid, masterPid);
  assert.equal(status.state, 'running');
  const answer = await getJson<{ pid: number }>(port, '/worker/HttpExamples/index');
  assert.ok(status.workers.some((w) => w.pid === answer.pid), 'its workers still serve');
}

test('a daemon is running: start -d and foreground start are refused with its pid', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2 });
  const first = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(first.code, 0, show(first));
  const masterPid = p.pidOf('web')!;

  const daemon = await runCli(p, ['web', 'start', '-d']);
  assert.equal(daemon.code, 1, show(daemon));
  assert.match(daemon.stderr, /code: DROVER_ERR_ALREADY_RUNNING/, show(daemon));
  assert.match(daemon.stderr, new RegExp(`master pid ${masterPid}\\b`), show(daemon));

  const foreground = await startForeground(p, 'web', { waitForRunning: false });
  const exit = await foreground.waitForExit();
  assert.equal(exit.code, 1, foreground.output());
  assert.match(foreground.stderr, /code: DROVER_ERR_ALREADY_RUNNING/, foreground.output());
  assert.match(foreground.stderr, new RegExp(`master pid ${masterPid}\\b`), foreground.output());

  await assertStillServing(p, port, masterPid);
}, { allowLog: [/^error: web is already running \(master pid \d+\)\.$/] }));

test('a foreground master is running: start -d and a second foreground start are refused with its pid', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2 });
  const first = await startForeground(p, 'web');
  const masterPid = first.pid;

  const daemon = await runCli(p, ['web', 'start', '-d']);
  assert.equal(daemon.code, 1, show(daemon));
  assert.match(daemon.stderr, /code: DROVER_ERR_ALREADY_RUNNING/, show(daemon));
  assert.match(daemon.stderr, new RegExp(`master pid ${masterPid}\\b`), show(daemon));

  const second = await startForeground(p, 'web', { waitForRunning: false });
  const exit = await second.waitForExit();
  assert.equal(exit.code, 1, second.output());
  assert.match(second.stderr, /code: DROVER_ERR_ALREADY_RUNNING/, second.output());
  assert.match(second.stderr, new RegExp(`master pid ${masterPid}\\b`), second.output());

  await assertStillServing(p, port, masterPid);
  assert.equal(first.exit, null, 'the first master is still running');
}, { allowLog: [/^error: web is already running \(master pid \d+\)\.$/, /\] error: web is already running \(master pid \d+\)\.$/] }));
