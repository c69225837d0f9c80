// Hot reload in foreground (debug) mode: a saved file gives one debounced rolling reload, the
// next request runs the new code; a burst of 50 files gives one reload; a broken edit is
// rolled back with the error on the terminal while the old code keeps answering; writes that
// are not code (node_modules, logs, dot-files, editor temp files) give none.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { startForeground, type ForegroundMaster } from '../helpers/foreground.js';
import { getJson, request } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import type { Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 90_000 };
const CONTROLLER = 'app/worker/controller/HttpExamples.ts';
const INDEX = '/worker/HttpExamples/index';

async function startDebug(p: Project): Promise<{ port: number; master: ForegroundMaster }> {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2 });
  p.writeConfig('process', { hotReload: { debounceMs: 200 } });
  const master = await startForeground(p, 'web');
  await master.waitForOutput(/hot reload: watching app, config/);
  return { port, master };
}

function editController(p: Project, from: string, to: string): void {
  const file = p.file(CONTROLLER);
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `${CONTROLLER} does not contain ${from}`);
  fs.writeFileSync(file, text.replace(from, to));
}

function reloadsIn(master: ForegroundMaster): number {
  return (master.stdout.match(/\] changed: .* — reloading/g) ?? []).length;
}

/** Resolves when the master has logged `count` finished (or failed) reloads. */
async function reloadsFinished(master: ForegroundMaster, count: number): Promise<void> {
  await waitFor(`${count} finished reloads`, () => (master.stdout.match(/\] reload (done|failed)/g) ?? []).length >= count);
}

test('saving a controller: the next request runs the new code, answered by new workers only', TIMEOUT, scenario(async (p) => {
  const { port, master } = await startDebug(p);
  assert.equal((await getJson<{ message: string }>(port, INDEX)).message, 'hello from drover');
  editController(p, 'hello from drover', 'hello, hot reload');
  await master.waitForOutput(/changed: app\/worker\/controller\/HttpExamples\.ts — reloading/);
  await reloadsFinished(master, 1);
  for (let i = 0; i < 6; i++) assert.equal((await getJson<{ message: string }>(port, INDEX)).message, 'hello, hot reload');
  const status = await statusJson(p, 'web');
  assert.equal(status.generation, 2);
  assert.ok(status.workers.every((w) => w.generation === 2), JSON.stringify(status.workers));
  assert.match(master.stdout, /reload done in \d+ ms/);
  master.kill('SIGTERM');
  assert.equal((await master.waitForExit()).code, 0);
}));

test('50 files changed at once (a git checkout) give exactly one reload', TIMEOUT, scenario(async (p) => {
  for (let i = 0; i < 50; i++) p.writeFile(`app/worker/lib/part${i}.ts`, `export const part${i} = ${i};\n`);
  const { port, master } = await startDebug(p);
  for (let i = 0; i < 50; i++) p.writeFile(`app/worker/lib/part${i}.ts`, `export const part${i} = ${i + 1};\n`);
  await reloadsFinished(master, 1);
  assert.match(master.stdout, /changed: app\/worker\/lib\/part\d+\.ts, .* \(\+45 more\) — reloading/);
  // A marker edit afterwards must make generation 3: a stray second reload of the burst would make it 4.
  editController(p, 'hello from drover', 'after the burst');
  await reloadsFinished(master, 2);
  assert.equal(reloadsIn(master), 2, master.stdout);
  assert.equal((await statusJson(p, 'web')).generation, 3);
  assert.equal((await getJson<{ message: string }>(port, INDEX)).message, 'after the burst');
}));

test('a broken edit is rolled back: the old code answers, the file and the error are shown; the fix reloads', TIMEOUT, scenario(async (p) => {
  const { port, master } = await startDebug(p);
  editController(p, 'hello from drover', 'still old?');
  await reloadsFinished(master, 1);
  fs.appendFileSync(p.file(CONTROLLER), '\nthis is not typescript(\n');
  await reloadsFinished(master, 2);
  assert.match(master.stdout, /reload failed: .*cannot load app\/worker\/controller\/HttpExamples\.ts/);
  assert.match(master.stdout + master.stderr, /HttpExamples\.ts:\d+:\d+/, 'the error names the file and line');
  for (let i = 0; i < 6; i++) {
    const r = await request(port, INDEX);
    assert.equal(r.status, 200, r.body);
    assert.equal(JSON.parse(r.body).message, 'still old?');
  }
  assert.equal((await statusJson(p, 'web')).state, 'running');
  const text = fs.readFileSync(p.file(CONTROLLER), 'utf8');
  fs.writeFileSync(p.file(CONTROLLER), text.replace('\nthis is not typescript(\n', '').replace('still old?', 'fixed'));
  await reloadsFinished(master, 3);
  await waitFor('the fixed code answering', async () => (await getJson<{ message: string }>(port, INDEX)).message === 'fixed');
}, { allowLog: [/HttpExamples\.ts:\d+:\d+: ERROR: Expected ";" but found "is"/, /^(Transform)?Error: Transform failed with 1 error:$/, /^\s+at /, /reload failed: worker \d+ \(pid \d+\) failed to boot: cannot load app\/worker\/controller\/HttpExamples\.ts/] }));

test('node_modules, logs, dot-files and editor temp files give no reload; a config change is validated first', TIMEOUT, scenario(async (p) => {
  const { port, master } = await startDebug(p);
  p.writeFile('app/node_modules/dep/index.js', 'export default 1;\n');
  p.writeFile('app/worker/debug.log', 'a log line\n');
  p.writeFile('app/worker/.hidden.ts', 'export {};\n');
  p.writeFile('app/worker/controller/HttpExamples.ts.swp', 'vim swap');
  p.writeFile('app/worker/controller/HttpExamples.ts~', 'backup');
  p.writeFile('app/worker/4913', '');
  // A bad config change is refused by validation; the workers are not touched.
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 0 });
  await reloadsFinished(master, 1);
  assert.match(master.stdout, /reload failed: the new config was refused.*"count" must be an integer >= 1/);
  // The ignored files were written in the same burst: had any counted, it would be listed here.
  const changed = master.stdout.match(/changed: (.*) — reloading/g) ?? [];
  assert.deepEqual(changed, ['changed: config/worker_web.json — reloading'], master.stdout);
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2 });
  await reloadsFinished(master, 2);
  assert.equal(reloadsIn(master), 2, master.stdout);
  assert.equal((await statusJson(p, 'web')).generation, 2);
}, { allowLog: [/reload failed: the new config was refused, nothing was changed: config\/worker_web\.json: "count" must be an integer >= 1/] }));
