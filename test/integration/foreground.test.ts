// `start` in the foreground: the master runs in the CLI's process and logs to its stdout.
// SIGTERM = graceful stop (in-flight requests finish), SIGINT = fast stop.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { SLOW_CONTROLLER } from '../helpers/fixtures.js';
import { startForeground, type ForegroundMaster } from '../helpers/foreground.js';
import { getJson, request } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { isAlive } from '../helpers/processes.js';
import type { Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 90_000 };

async function startWeb(p: Project): Promise<{ port: number; master: ForegroundMaster; workers: number[] }> {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2, stopTimeout: 30_000 });
  p.writeFile('app/worker/controller/Slow.ts', SLOW_CONTROLLER);
  const master = await startForeground(p, 'web');
  const [, list] = await master.waitForOutput(/ running: \d+ workers \(([\d, ]+)\)/);
  const workers = list!.split(',').map((s) => Number(s.trim()));
  p.track(...workers);
  assert.equal(workers.length, 2, master.output());
  assert.equal(p.pidOf('web'), master.pid, 'the pidfile names the foreground process');
  return { port, master, workers };
}

function assertFilesGone(p: Project): void {
  const files = p.service('web');
  assert.equal(fs.existsSync(files.pidfile), false, 'pidfile removed');
  assert.equal(fs.existsSync(files.lock), false, 'lock removed');
  assert.equal(fs.existsSync(files.socket), false, 'socket removed');
}

test('foreground start serves; SIGTERM drains the in-flight request and exits 0', TIMEOUT, scenario(async (p) => {
  const { port, master, workers } = await startWeb(p);
  const hello = await getJson<{ pid: number; message: string }>(port, '/worker/HttpExamples/index');
  assert.equal(hello.message, 'hello from drover');
  assert.ok(workers.includes(hello.pid), `served by a worker of this master: ${hello.pid} in ${workers}`);

  const held = request(port, '/worker/Slow/hold?id=1', { timeoutMs: 60_000 });
  held.catch(() => undefined);
  await waitFor('the slow request to reach its action', () => p.exists('held-1'));

  master.kill('SIGTERM');
  await master.waitForOutput(/stopping 2 workers \(graceful/);
  // The request is still in flight, and is allowed to finish.
  assert.equal(master.exit, null, 'the master waits for the in-flight request');
  p.writeFile('release-1', '');
  const answer = await held;
  assert.equal(answer.status, 200, answer.body);
  assert.equal(JSON.parse(answer.body).released, '1');
  assert.equal(answer.headers.connection, 'close', 'a draining worker answers with Connection: close');

  const exit = await master.waitForExit();
  assert.deepEqual(exit, { code: 0, signal: null }, master.output());
  assertFilesGone(p);
  for (const pid of workers) await waitFor(`worker ${pid} to be gone`, () => !isAlive(pid));
}));

test('foreground start: SIGINT is a fast stop that does not wait for in-flight requests', TIMEOUT, scenario(async (p) => {
  const { port, master, workers } = await startWeb(p);
  const held = request(port, '/worker/Slow/hold?id=2', { timeoutMs: 60_000 }).then(
    (r) => ({ ok: true as const, r }),
    (error: Error) => ({ ok: false as const, error }),
  );
  await waitFor('the slow request to reach its action', () => p.exists('held-2'));

  master.kill('SIGINT');
  // Never released: a fast stop closes the connection instead of waiting.
  const outcome = await held;
  assert.equal(outcome.ok, false, `the held request was cut: ${JSON.stringify(outcome)}`);
  const exit = await master.waitForExit();
  assert.deepEqual(exit, { code: 0, signal: null }, master.output());
  assert.match(master.output(), /\(fast, SIGINT\)/);
  assertFilesGone(p);
  for (const pid of workers) await waitFor(`worker ${pid} to be gone`, () => !isAlive(pid));
}));
