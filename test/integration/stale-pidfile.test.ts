// A master that died without cleaning up (SIGKILL) leaves its pidfile, lock and socket: the
// next start recovers them. Also when the pid in the pidfile now belongs to an unrelated live
// process (pid reuse): drover must neither refuse forever nor touch that process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { test } from 'node:test';
import { droverEnv, runCli, show } from '../helpers/cli.js';
import { getJson } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { isAlive, killQuietly } from '../helpers/processes.js';
import type { Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson, workerPids } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

async function assertServedBy(p: Project, port: number): Promise<void> {
  const status = await statusJson(p, 'web');
  assert.equal(status.state, 'running');
  assert.equal(status.master.pid, p.pidOf('web'));
  const answer = await getJson<{ pid: number }>(port, '/worker/HttpExamples/index');
  assert.ok(workerPids(status).includes(answer.pid), `served by the new master's workers (${answer.pid})`);
}

test('SIGKILL of the master and its workers → the next start -d succeeds', { timeout: 90_000 }, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2 });
  const first = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(first.code, 0, show(first));
  const status = await statusJson(p, 'web');
  const dead = [status.master.pid, ...workerPids(status)];
  for (const pid of dead) killQuietly(pid, 'SIGKILL');
  for (const pid of dead) await waitFor(`pid ${pid} to be gone`, () => !isAlive(pid));

  const files = p.service('web');
  assert.ok(fs.existsSync(files.pidfile) && fs.existsSync(files.lock) && fs.existsSync(files.socket), 'the dead master left its pidfile, lock and socket');
  const before = await runCli(p, ['web', 'status']);
  assert.equal(before.code, 3, `a dead master's service is "not running"${show(before)}`);

  const again = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(again.code, 0, show(again));
  assert.notEqual(p.pidOf('web'), status.master.pid);
  await assertServedBy(p, port);
}));

test('a pidfile naming an unrelated live process, with a fresh leftover lock and socket → start -d succeeds', { timeout: 120_000 }, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 1 });
  const files = p.service('web');

  // The unrelated process that "reused" the dead master's pid.
  const stranger = spawn('sleep', ['600'], { cwd: p.root, stdio: 'ignore' });
  p.trackChild(stranger);
  // A real socket file with nobody listening: what a SIGKILLed master leaves.
  fs.mkdirSync(p.file('pidfiles'));
  const listener = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(files.socket)}, () => console.log('up'))`], {
    cwd: p.root,
    env: droverEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  p.trackChild(listener);
  await new Promise((resolve) => listener.stdout!.once('data', resolve));
  listener.kill('SIGKILL');
  await new Promise((resolve) => listener.once('exit', resolve));
  assert.ok(fs.statSync(files.socket).isSocket(), 'a stale socket file is left');
  fs.writeFileSync(files.pidfile, `${stranger.pid}\n`);
  fs.mkdirSync(files.lock); // fresh: proper-lockfile calls it stale after 10 s only

  const started = await runCli(p, ['web', 'start', '-d'], { timeoutMs: 60_000 });
  p.track(p.pidOf('web'));
  assert.equal(started.code, 0, show(started));
  assert.notEqual(p.pidOf('web'), stranger.pid);
  await assertServedBy(p, port);
  assert.ok(isAlive(stranger.pid!), 'the unrelated process was left alone');

  const stopped = await runCli(p, ['web', 'stop']);
  assert.equal(stopped.code, 0, show(stopped));
  assert.ok(isAlive(stranger.pid!), 'the unrelated process was left alone by stop too');
}));
