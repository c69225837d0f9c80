// Start-up failures other than a bad config: the port is taken, a worker never gets ready,
// the control socket path is too long. Each: exit 1 with its code, nothing left running.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { pidsUnder } from '../helpers/processes.js';
import type { Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 90_000 };

async function assertNothingLeft(p: Project, service = 'web'): Promise<void> {
  await waitFor('no process left in the project', () => pidsUnder(p.root).length === 0);
  const files = p.service(service);
  for (const f of [files.pidfile, files.lock, files.socket]) assert.equal(fs.existsSync(f), false, `${f} removed`);
}

test('the port is taken: start -d exits 1 with DROVER_ERR_PORT_IN_USE, nothing left running', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  const squatter = net.createServer();
  await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
  try {
    p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2 });
    const r = await runCli(p, ['web', 'start', '-d']);
    p.track(p.pidOf('web'));
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, new RegExp(`cannot listen on http://127\\.0\\.0\\.1:${port}: the address is already in use`), show(r));
    assert.match(r.stderr, /code: DROVER_ERR_PORT_IN_USE/, show(r));
    assert.match(r.stderr, /^log: .*logs\/web\.log$/m, `the log is named${show(r)}`);
    assert.equal(r.stderr.match(/already in use/g)?.length, 1, `the error is printed once${show(r)}`);
    await assertNothingLeft(p);
  } finally {
    squatter.close();
  }
}, { allowLog: [/boot failed: cannot listen on http:\/\/127\.0\.0\.1:\d+: the address is already in use\.$/, /error: web could not start: .*cannot listen on http:\/\/127\.0\.0\.1:\d+: the address is already in use/] }));

test('a worker that never gets ready: start -d exits 1 after readyTimeout, nothing left running', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2, readyTimeout: 1500 });
  p.writeFile('app/stuck/Stuck.ts', 'export function onWorkerStart() {\n  return new Promise(() => undefined);\n}\n');
  const r = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(r.code, 1, show(r));
  assert.match(r.stderr, /not ready within readyTimeout \(1500 ms\)/, show(r));
  assert.match(r.stderr, /code: DROVER_ERR_START_FAILED/, show(r));
  await assertNothingLeft(p);
}, { allowLog: [/error: web could not start: worker \d+ \(pid \d+\) was not ready within readyTimeout/] }));

test('a control socket path over the Unix limit: DROVER_ERR_SOCKET_PATH, nothing left running', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  const deep = `${p.root}/${'d'.repeat(60)}/${'e'.repeat(40)}`;
  fs.mkdirSync(`${deep}/config`, { recursive: true });
  fs.writeFileSync(`${deep}/package.json`, '{"type":"module"}\n');
  fs.writeFileSync(`${deep}/config/worker_web.json`, JSON.stringify({ listen: `http://127.0.0.1:${port}`, count: 1 }));
  const r = await runCli(p, ['web', 'start', '-d', '--root', deep]);
  assert.equal(r.code, 1, show(r));
  assert.match(r.stderr, /control socket path is too long/, show(r));
  assert.match(r.stderr, /code: DROVER_ERR_SOCKET_PATH/, show(r));
  await waitFor('no process left in the project', () => pidsUnder(p.root).length === 0);
  assert.equal(fs.existsSync(`${deep}/pidfiles/web.pid`), false, 'no pidfile left');
  assert.equal(fs.existsSync(`${deep}/pidfiles/web.pid.lock`), false, 'no lock left');
}, { app: false }));
