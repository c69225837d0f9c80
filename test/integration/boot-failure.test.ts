// A worker that throws while it boots. At the initial start it aborts the start (nothing is
// left running); later it puts its slot, and the service, in a visible `errored` state after
// maxBootFailures attempts, with no restart storm, while the other worker keeps serving.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { BOOM_MODULE } from '../helpers/fixtures.js';
import { startForeground } from '../helpers/foreground.js';
import { getJson } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { isAlive, killQuietly, pidsUnder } from '../helpers/processes.js';
import type { Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';
import { delay, waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 90_000 };

async function assertNothingLeft(p: Project): Promise<void> {
  const files = p.service('web');
  await waitFor('no process left in the project', () => pidsUnder(p.root).length === 0);
  assert.equal(fs.existsSync(files.pidfile), false, 'no pidfile');
  assert.equal(fs.existsSync(files.lock), false, 'no lock');
  assert.equal(fs.existsSync(files.socket), false, 'no socket');
  const status = await runCli(p, ['web', 'status']);
  assert.equal(status.code, 3, show(status));
}

test('a worker that throws at the initial start: start -d exits 1 with the error, nothing left running', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2 });
  p.writeFile('app/boom/Boom.ts', BOOM_MODULE);
  p.writeFile('boom-marker', '');

  const started = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(started.code, 1, show(started));
  assert.match(started.stderr, /code: DROVER_ERR_START_FAILED/, show(started));
  assert.match(started.stderr, /boom: the marker file exists/, show(started));
  assert.match(started.stderr, /onWorkerStart of module "boom"/, show(started));
  await assertNothingLeft(p);
}, { allowLog: [/boot failed: onWorkerStart of module "boom" threw: boom: the marker file exists/, /failed to boot: onWorkerStart of module "boom" threw: boom: the marker file exists/, /^  hint: the error and its stack are below: fix it and start again\.$/, /Error: boom: the marker file exists$/, /^\s+at /, /could not start: worker \d+ \(pid \d+\) failed to boot: onWorkerStart of module "boom"/, /^  hint: fix the error above and start again\.$/, /exited unexpectedly \((SIGKILL|code 3)\); respawning/, /failed to boot \d+ times in a row: not respawning \(errored\)/] }));

test('a worker that throws at the initial start in the foreground: exit 1 with the error, nothing left running', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2 });
  p.writeFile('app/boom/Boom.ts', BOOM_MODULE);
  p.writeFile('boom-marker', '');

  const master = await startForeground(p, 'web', { waitForRunning: false });
  const exit = await master.waitForExit();
  assert.equal(exit.code, 1, master.output());
  assert.match(master.stderr, /code: DROVER_ERR_START_FAILED/, master.output());
  assert.match(master.stderr, /boom: the marker file exists/, master.output());
  await assertNothingLeft(p);
}, { allowLog: [/boot failed: onWorkerStart of module "boom" threw: boom: the marker file exists/, /failed to boot: onWorkerStart of module "boom" threw: boom: the marker file exists/, /^  hint: the error and its stack are below: fix it and start again\.$/, /Error: boom: the marker file exists$/, /^\s+at /, /could not start: worker \d+ \(pid \d+\) failed to boot: onWorkerStart of module "boom"/, /^  hint: fix the error above and start again\.$/, /exited unexpectedly \((SIGKILL|code 3)\); respawning/, /failed to boot \d+ times in a row: not respawning \(errored\)/] }));

test('a worker that keeps failing to boot after the start: slot and service errored, bounded attempts, the other worker serves', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  const maxBootFailures = 3;
  p.writeConfig('web', {
    listen: `http://127.0.0.1:${port}`,
    count: 2,
    maxBootFailures,
    backoff: { initialMs: 20, maxMs: 100, resetAfterMs: 60_000 },
  });
  p.writeFile('app/boom/Boom.ts', BOOM_MODULE);
  const started = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(started.code, 0, show(started));

  const before = await statusJson(p, 'web');
  const victim = before.workers.find((w) => w.id === 1)!;
  const survivor = before.workers.find((w) => w.id === 2)!;
  p.writeFile('boom-marker', '');
  killQuietly(victim.pid!, 'SIGKILL');

  // Polls until both the service and the slot say errored: a status taken while the last
  // attempt is dying may show the service errored and that worker's row still "stopping".
  const errored = await waitFor('the service and slot 1 to be errored', async () => {
    const s = await statusJson(p, 'web');
    return s.state === 'errored' && s.workers.find((w) => w.id === 1)?.state === 'errored' ? s : null;
  });
  const slot1 = errored.workers.find((w) => w.id === 1)!;
  const slot2 = errored.workers.find((w) => w.id === 2)!;
  assert.equal(slot1.state, 'errored', JSON.stringify(slot1));
  assert.equal(slot1.pid, null, 'no process in the errored slot');
  assert.match(slot1.lastError ?? '', /boom: the marker file exists/, JSON.stringify(slot1));
  assert.match(errored.lastError ?? '', /boom: the marker file exists/, `service lastError: ${errored.lastError}`);
  assert.equal(slot2.pid, survivor.pid, 'the other slot was not touched');
  assert.equal(slot2.state, 'ready');

  // No storm: exactly maxBootFailures attempts, and none after the slot went errored. The
  // back-off is at most 100 ms here, so a master still respawning would show within 1 s.
  const attempts = () => fs.readFileSync(p.file('boot-attempts'), 'utf8').trim().split('\n');
  assert.equal(attempts().length, maxBootFailures, `boot attempts: ${attempts().join(', ')}`);
  await delay(1000);
  assert.equal(attempts().length, maxBootFailures, `boot attempts after the slot went errored: ${attempts().join(', ')}`);
  const later = await statusJson(p, 'web');
  assert.equal(later.state, 'errored');
  assert.equal(later.workers.find((w) => w.id === 1)!.restarts, maxBootFailures, 'one restart per attempt');
  const exits = Object.fromEntries(later.exits.map((e) => [`${e.code}/${e.signal}`, e.count]));
  assert.deepEqual(exits, { 'null/SIGKILL': 1, '3/null': maxBootFailures }, `exits: ${JSON.stringify(later.exits)}`);
  for (const pid of attempts().map(Number)) assert.equal(isAlive(pid), false, `failed worker ${pid} is gone`);

  const table = await runCli(p, ['web', 'status']);
  assert.match(table.stdout, /state errored/, show(table));
  assert.match(table.stdout, /last error: .*boom/, show(table));

  for (let i = 0; i < 4; i++) {
    const answer = await getJson<{ pid: number }>(port, '/worker/HttpExamples/index');
    assert.equal(answer.pid, survivor.pid, 'the surviving worker serves every request');
  }

  // An errored service still stops cleanly.
  const stopped = await runCli(p, ['web', 'stop']);
  assert.equal(stopped.code, 0, show(stopped));
  await assertNothingLeft(p);
}, { allowLog: [/boot failed: onWorkerStart of module "boom" threw: boom: the marker file exists/, /failed to boot: onWorkerStart of module "boom" threw: boom: the marker file exists/, /^  hint: the error and its stack are below: fix it and start again\.$/, /Error: boom: the marker file exists$/, /^\s+at /, /could not start: worker \d+ \(pid \d+\) failed to boot: onWorkerStart of module "boom"/, /^  hint: fix the error above and start again\.$/, /exited unexpectedly \((SIGKILL|code 3)\); respawning/, /failed to boot \d+ times in a row: not respawning \(errored\)/] }));
