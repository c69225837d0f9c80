// The production foreground mode (`start --production`), run the way supervisors run it: under
// a plain parent (SIGTERM → graceful stop, exit 0), with its stdout closed, as PID 1 of its own
// PID namespace (a container), and reporting readiness to a stand-in for systemd's notify socket.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { request } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { isAlive, pidsUnder } from '../helpers/processes.js';
import { NotifySocket, spawnProduction } from '../helpers/production.js';
import type { Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 60_000 };
const HANDLER = "export default (req, res) => res.end(`pid ${process.pid} ${process.env.NODE_ENV ?? '-'}`);\n";

async function project(p: Project, count = 2): Promise<number> {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count, app: 'app/server.js' });
  p.writeFile('app/server.js', HANDLER);
  return port;
}

async function assertNothingLeft(p: Project): Promise<void> {
  await waitFor('no process left in the project', () => pidsUnder(p.root).length === 0);
  for (const f of Object.values(p.service('web'))) if (!f.endsWith('.log')) assert.equal(fs.existsSync(f), false, `${f} removed`);
}

test('under a plain parent: logs on stdout, serves, SIGTERM drains and exits 0, no log file, no watcher', TIMEOUT, scenario(async (p) => {
  const port = await project(p);
  const master = spawnProduction(p, 'web');
  await master.waitForOutput(/web running: 2 workers \((\d+), (\d+)\)/);
  assert.match((await request(port, '/')).body, /^pid \d+/);
  const status = await runCli(p, ['web', 'status', '--json']);
  assert.equal(status.code, 0, show(status));
  const workers = (JSON.parse(status.stdout) as { workers: Array<{ pid: number }> }).workers.map((w) => w.pid);
  // A saved file does not reload in production: no watcher.
  p.writeFile('app/server.js', `${HANDLER}// edited\n`);
  master.kill('SIGTERM');
  const exit = await master.waitForExit();
  assert.deepEqual(exit, { code: 0, signal: null }, master.output());
  assert.match(master.stdout, /stopping 2 workers \(graceful, SIGTERM\)[\s\S]*stopped/, master.output());
  assert.doesNotMatch(master.stdout, /reload/, master.output());
  assert.equal(master.stderr, '', master.output());
  assert.equal(p.exists('logs/web.log'), false, 'the foreground mode writes no log file');
  for (const pid of workers) assert.equal(isAlive(pid), false, `worker ${pid} exited`);
  await assertNothingLeft(p);
}, { app: false }));

test('NODE_ENV=production makes a foreground start the production mode', TIMEOUT, scenario(async (p) => {
  const port = await project(p, 1);
  const master = spawnProduction(p, 'web', { env: { NODE_ENV: 'production' } });
  await master.waitForOutput(/web running: 1 worker \(/);
  assert.match((await request(port, '/')).body, / production$/);
  master.kill('SIGTERM');
  assert.deepEqual(await master.waitForExit(), { code: 0, signal: null }, master.output());
  await assertNothingLeft(p);
}, { app: false }));

test('readiness reaches a stand-in notify socket: READY=1 once every worker is ready, RELOADING=1/READY=1 around a reload, STOPPING=1', TIMEOUT, scenario(async (p, t) => {
  if (spawnSync('python3', ['--version']).status !== 0 || !fs.existsSync('/usr/bin/systemd-notify')) return t.skip('needs python3 and systemd-notify');
  const port = await project(p);
  const notify = await NotifySocket.bind(p);
  const master = spawnProduction(p, 'web', { env: { NOTIFY_SOCKET: notify.path } });
  const ready = await notify.waitFor('READY=1', (n) => n.fields.READY === '1');
  // By the time systemd hears READY=1, both workers answer.
  assert.match(master.stdout, /web running: 2 workers/, master.output());
  assert.equal(ready.fields.MAINPID, String(master.pid), JSON.stringify(ready));
  assert.match(ready.fields.STATUS ?? '', /2 workers ready on http:\/\/127\.0\.0\.1:\d+/);
  assert.equal(notify.messages.length, 1, 'nothing before READY=1');
  const seen = new Set<string>();
  for (let i = 0; i < 4; i++) seen.add((await request(port, '/')).body.split(' ')[1]!);

  const reload = await runCli(p, ['web', 'reload']);
  assert.equal(reload.code, 0, show(reload));
  const reloading = await notify.waitFor('RELOADING=1', (n) => n.fields.RELOADING === '1');
  assert.match(reloading.fields.MONOTONIC_USEC ?? '', /^\d+$/, 'MONOTONIC_USEC (systemd ≥ 253) comes with RELOADING=1');
  await notify.waitFor('READY=1 after the reload', (n) => n.fields.READY === '1' && notify.messages.indexOf(n) > notify.messages.indexOf(reloading));

  master.kill('SIGTERM');
  assert.deepEqual(await master.waitForExit(), { code: 0, signal: null }, master.output());
  assert.ok(notify.messages.some((n) => n.fields.STOPPING === '1'), 'STOPPING=1 before the exit');
  assert.deepEqual(notify.messages.map((n) => Object.keys(n.fields).find((k) => ['READY', 'RELOADING', 'STOPPING'].includes(k))), ['READY', 'RELOADING', 'READY', 'STOPPING']);
  // The workers never see NOTIFY_SOCKET: they cannot report on the master's behalf.
  assert.ok(notify.received.every((n) => n.pid === null || !seen.has(String(n.pid))));
  await assertNothingLeft(p);
}, { app: false }));

test('with its stdout closed: starts, serves and stops gracefully with exit 0', TIMEOUT, scenario(async (p) => {
  const port = await project(p);
  const master = spawnProduction(p, 'web', { redirect: '>&-' });
  await waitFor('the service to answer', () => request(port, '/').then((r) => r.status === 200, () => false));
  const masterPid = p.pidOf('web')!;
  assert.equal(masterPid, master.pid, 'the shell exec()ed the CLI: it is the master');
  master.kill('SIGTERM');
  assert.deepEqual(await master.waitForExit(), { code: 0, signal: null }, master.output());
  assert.equal(master.stderr, '', master.output());
  await assertNothingLeft(p);
}, { app: false }));

test('as PID 1 of its own PID namespace (a container): signals work, workers are reaped, exit 0', TIMEOUT, scenario(async (p, t) => {
  if (process.getuid?.() !== 0 || spawnSync('unshare', ['--version']).status !== 0) return t.skip('needs root and unshare');
  const port = await project(p);
  const master = spawnProduction(p, 'web', { prefix: ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child'] });
  await master.waitForOutput(/web running: 2 workers/);
  assert.match(master.stdout, /\[web master pid 1 stdout\]/, `the master is PID 1 in its namespace${master.output()}`);
  // unshare is our child; the master is unshare's. Signal it from outside, as `docker stop` does.
  const inner = await waitFor('the master as seen from outside', () => childrenOf(master.pid)[0]);
  assert.match((await request(port, '/')).body, /^pid \d+/);
  process.kill(inner, 'SIGTERM');
  assert.deepEqual(await master.waitForExit(), { code: 0, signal: null }, master.output());
  assert.match(master.stdout, /stopping 2 workers \(graceful, SIGTERM\)/, master.output());
  await assertNothingLeft(p);
}, { app: false }));

test('a config that cannot load exits 78 (EX_CONFIG) with the error printed once; a taken port exits 1', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 0 });
  const bad = spawnProduction(p, 'web');
  assert.deepEqual(await bad.waitForExit(), { code: 78, signal: null }, bad.output());
  assert.equal(bad.stderr.match(/^error: /gm)?.length, 1, bad.output());
  assert.match(bad.stderr, /"count" must be an integer >= 1[\s\S]*code: DROVER_ERR_CONFIG\n/, bad.output());

  const squatter = net.createServer();
  await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
  try {
    p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2 });
    const taken = spawnProduction(p, 'web');
    assert.deepEqual(await taken.waitForExit(), { code: 1, signal: null }, taken.output());
    assert.equal(taken.stderr.match(/already in use/g)?.length, 1, `the port error is printed once${taken.output()}`);
    assert.match(taken.stderr, /code: DROVER_ERR_PORT_IN_USE/, taken.output());
  } finally {
    squatter.close();
  }
  await assertNothingLeft(p);
}, { app: false }));

function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
