// Zero-downtime reload under real load (autocannon on 127.0.0.1): not one failed request, with
// keep-alive connections or a new connection per request, over one reload or ten in a row;
// reloads that arrive during a reload coalesce; a stop during a reload wins and drains.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { startLoad, type LoadResult } from '../helpers/load.js';
import { isAlive, pidsUnder } from '../helpers/processes.js';
import type { Project } from '../helpers/project.js';
import { startHttpDaemon } from '../helpers/daemon.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson, workerPids } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 120_000 };
const INDEX = '/worker/HttpExamples/index';

/** onWorkerStart waits while `slow-boot` holds a number of ms: a reload that takes a while. */
const SLOW_BOOT_MODULE = `
import fs from 'node:fs';
import path from 'node:path';
export async function onWorkerStart(ctx) {
  const file = path.join(ctx.root, 'slow-boot');
  if (fs.existsSync(file)) await new Promise((r) => setTimeout(r, Number(fs.readFileSync(file, 'utf8'))));
}
`;

function startWeb(p: Project, config: object = {}): Promise<number> {
  return startHttpDaemon(p, config);
}

function assertNoFailures(r: LoadResult): void {
  assert.ok(r.requests > 0, 'the load ran');
  assert.deepEqual(
    { errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, resets: r.resets, kinds: r.errorKinds },
    { errors: 0, timeouts: 0, non2xx: 0, resets: 0, kinds: {} },
    `failures in ${r.requests} requests`,
  );
}

async function reload(p: Project): Promise<void> {
  const r = await runCli(p, ['web', 'reload'], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, show(r));
}

function openFds(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

for (const mode of ['keep-alive', 'a new connection per request'] as const) {
  test(`a reload of every worker under load (${mode}) fails no request`, TIMEOUT, scenario(async (p) => {
    const port = await startWeb(p);
    const before = workerPids(await statusJson(p, 'web'));
    const load = startLoad(`http://127.0.0.1:${port}${INDEX}`, { closeEachRequest: mode !== 'keep-alive' });
    try {
      await load.responses(200);
      await reload(p);
      await load.responses(400);
    } finally {
      assertNoFailures(await load.stop());
    }
    const after = workerPids(await statusJson(p, 'web'));
    assert.equal(after.filter((pid) => before.includes(pid)).length, 0, 'every worker was replaced');
  }));
}

test('ten reloads in a row under keep-alive load: no failed request, no file descriptor growth in the master', TIMEOUT, scenario(async (p) => {
  const port = await startWeb(p);
  const master = p.pidOf('web')!;
  const load = startLoad(`http://127.0.0.1:${port}${INDEX}`);
  let fdsAfterFirst = 0;
  try {
    await load.responses(100);
    for (let i = 0; i < 10; i++) {
      await reload(p);
      if (i === 0) fdsAfterFirst = openFds(master);
    }
  } finally {
    assertNoFailures(await load.stop());
  }
  assert.ok(openFds(master) <= fdsAfterFirst, `master fds: ${fdsAfterFirst} after the first reload, ${openFds(master)} after the tenth`);
  assert.equal((await statusJson(p, 'web')).generation, 11);
}));

test('reload requests during a reload coalesce into one more reload', TIMEOUT, scenario(async (p) => {
  p.writeFile('app/worker/Worker.ts', SLOW_BOOT_MODULE);
  await startWeb(p);
  p.writeFile('slow-boot', '1500');
  const master = p.pidOf('web')!;
  const first = runCli(p, ['web', 'reload'], { timeoutMs: 60_000 });
  await waitFor('the reload to start', async () => (await statusJson(p, 'web')).state === 'reloading');
  for (let i = 0; i < 3; i++) process.kill(master, 'SIGUSR2');
  const second = runCli(p, ['web', 'reload'], { timeoutMs: 60_000 });
  const [a, b] = await Promise.all([first, second]);
  assert.equal(a.code, 0, show(a));
  assert.equal(b.code, 0, show(b));
  assert.match(b.stdout, /generation 3/, 'the second request was served by the one coalesced reload');
  const status = await statusJson(p, 'web');
  assert.equal(status.generation, 3, 'one reload, then exactly one more');
  assert.equal(status.state, 'running');
}));

test('SIGTERM during a reload wins: the rollout stops, everything drains and exits', TIMEOUT, scenario(async (p) => {
  p.writeFile('app/worker/Worker.ts', SLOW_BOOT_MODULE);
  const port = await startWeb(p);
  const status = await statusJson(p, 'web');
  const pids = [status.master.pid, ...workerPids(status)];
  p.writeFile('slow-boot', '3000');
  const load = startLoad(`http://127.0.0.1:${port}${INDEX}`, { connections: 4 });
  await load.responses(50);
  const reloading = runCli(p, ['web', 'reload'], { timeoutMs: 60_000 });
  await waitFor('the reload to start', async () => (await statusJson(p, 'web')).state === 'reloading');
  process.kill(status.master.pid, 'SIGTERM');
  const r = await reloading;
  await load.stop();
  assert.notEqual(r.code, 0, `the reload reports it was cut short${show(r)}`);
  assert.match(r.stderr, /DROVER_ERR_RELOAD_FAILED/);
  await waitFor('every process of the service to exit', () => pids.every((pid) => !isAlive(pid)) && pidsUnder(p.root).length === 0);
  assert.ok(!p.exists('pidfiles/web.pid') && !p.exists('pidfiles/web.sock'), 'pidfile and socket removed');
  const log = fs.readFileSync(p.service('web').log, 'utf8');
  assert.match(log, /stopping \d+ workers \(graceful, SIGTERM\)/);
  assert.match(log, /\] stopped\n/);
}, { allowLog: [/reload failed: a stop was requested during the reload; the rollout stopped and the old workers keep serving/] }));
