// Hot reload forks the next workers as soon as a burst of saves begins, while the debounce
// waits (standbys, one after the other); they load the user's code only when the burst is over,
// so they run the code as saved last. A burst that changes the config drops them and forks anew.
// (hot-reload.test.ts and hot-reload-atomic-save.test.ts cover bursts, broken edits, ignores.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { startForeground, type ForegroundMaster } from '../helpers/foreground.js';
import { getJson } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { isAlive } from '../helpers/processes.js';
import type { Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson, workerPids } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

const CONTROLLER = 'app/worker/controller/HttpExamples.ts';
const INDEX = '/worker/HttpExamples/index';
// Long enough that both standbys (forked one after the other) are up before the burst ends,
// on a loaded machine too (one took 2.9 s to start at load 14).
const DEBOUNCE_MS = 8000;

/** The master's child processes (workers, standbys and its orphan sentinel). Linux /proc. */
function childrenOf(pid: number): number[] {
  const text = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(' ').map(Number);
}

function reloadsDone(master: ForegroundMaster): number {
  return (master.stdout.match(/\] reload done/g) ?? []).length;
}

/**
 * A foreground master with hot reload and a long debounce, after the first save of a burst has
 * forked both standbys (every child of the master that was not there before the save).
 */
async function firstSaveWithStandbys(p: Project, savedAs: string) {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2 });
  p.writeConfig('process', { hotReload: { debounceMs: DEBOUNCE_MS } });
  const master = await startForeground(p, 'web');
  await master.waitForOutput(/hot reload: watching/);
  const before = new Set(childrenOf(master.pid));
  const oldWorkers = workerPids(await statusJson(p, 'web'));
  p.track(...oldWorkers);
  const original = fs.readFileSync(p.file(CONTROLLER), 'utf8');
  p.writeFile(CONTROLLER, original.replace('hello from drover', savedAs));
  // Both, so that no standby is forked after this list was taken (a dying one would still show in status).
  const standbys = await waitFor('two standbys forked', () => {
    const fresh = childrenOf(master.pid).filter((pid) => !before.has(pid));
    return fresh.length >= 2 ? fresh : null;
  });
  p.track(...standbys);
  return { port, master, before, oldWorkers, original, standbys };
}

test('a save forks the replacements before the debounce ends; they serve the code as saved last', { timeout: 60_000 }, scenario(async (p) => {
  const { port, master, oldWorkers, original, standbys } = await firstSaveWithStandbys(p, 'first save');
  assert.doesNotMatch(master.stdout, /— reloading/, 'the standbys came before the burst ended');
  // A second save in the same burst: the standbys have loaded no code yet, so they run this one.
  p.writeFile(CONTROLLER, original.replace('hello from drover', 'second save'));
  await waitFor('the reload', () => reloadsDone(master) >= 1);
  assert.equal((master.stdout.match(/— reloading/g) ?? []).length, 1, master.stdout);
  for (let i = 0; i < 4; i++) assert.equal((await getJson<{ message: string }>(port, INDEX)).message, 'second save');
  const status = await statusJson(p, 'web');
  // Rows of old workers still draining may be there too (generation 1).
  const current = status.workers.filter((w) => w.generation === 2).map((w) => w.pid);
  assert.deepEqual(current.sort(), [...standbys].sort(), `the standbys became the workers: ${JSON.stringify(status.workers)}`);
  for (const pid of oldWorkers) await waitFor(`old worker ${pid} gone`, () => !isAlive(pid));

  master.kill('SIGTERM');
  assert.equal((await master.waitForExit()).code, 0, master.output());
  for (const pid of standbys) assert.ok(!isAlive(pid), `worker ${pid} stopped with the master`);
}));

test('a burst that changes the config drops the standbys: fresh workers with the new config, nothing left over', { timeout: 60_000 }, scenario(async (p) => {
  const { port, master, before, oldWorkers, standbys } = await firstSaveWithStandbys(p, 'with three workers');
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 3 });
  await waitFor('the reload', () => reloadsDone(master) >= 1);
  for (const pid of standbys) await waitFor(`standby ${pid} dropped`, () => !isAlive(pid));
  const status = await statusJson(p, 'web');
  const workers = status.workers.filter((w) => w.generation === 2).map((w) => w.pid!);
  p.track(...workers);
  assert.equal(workers.length, 3, JSON.stringify(status.workers));
  assert.ok(workers.every((pid) => !standbys.includes(pid) && !oldWorkers.includes(pid)), `${workers} vs standbys ${standbys}`);
  for (let i = 0; i < 3; i++) assert.equal((await getJson<{ message: string }>(port, INDEX)).message, 'with three workers');
  for (const pid of oldWorkers) await waitFor(`old worker ${pid} gone`, () => !isAlive(pid));
  // Workers, and the sentinel: no standby lingers.
  const left = childrenOf(master.pid).filter((pid) => !before.has(pid) && !workers.includes(pid));
  assert.deepEqual(left, [], 'no process of the burst left behind');

  master.kill('SIGTERM');
  assert.equal((await master.waitForExit()).code, 0, master.output());
}));
