// Input path: many `start -d` at once, over the leftovers of a SIGKILLed master (a pidfile
// naming a dead pid, its lock still there). Each starter may clear a lock whose holder is
// dead; none may clear the lock of a master that took it a moment ago and has not written its
// pidfile yet (the window where two masters used to start).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { pidsUnder } from '../helpers/processes.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';

const STARTERS = 20;

function isMaster(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('master/main.js');
  } catch {
    return false;
  }
}

test(`${STARTERS} concurrent start -d over a dead master's pidfile and lock give exactly one master`, { timeout: 120_000 }, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 1 });
  const files = p.service('web');
  // What a SIGKILLed master leaves: its lock (taken first), then its pidfile, naming a pid now dead.
  const dead = spawnSync('true').pid!;
  fs.mkdirSync(files.lock, { recursive: true });
  fs.writeFileSync(files.pidfile, `${dead}\n`);
  const results = await Promise.all(Array.from({ length: STARTERS }, () => runCli(p, ['web', 'start', '-d'], { timeoutMs: 90_000 })));
  for (const pid of pidsUnder(p.root)) p.track(pid);
  const started = results.filter((r) => r.code === 0);
  assert.equal(started.length, 1, `exactly one start succeeded:${results.map(show).join('')}`);
  for (const r of results.filter((r) => r.code !== 0)) assert.match(r.stderr, /code: DROVER_ERR_ALREADY_RUNNING/, show(r));
  const masters = pidsUnder(p.root).filter(isMaster);
  assert.equal(masters.length, 1, `one master process: ${masters.join(', ')}`);
  const status = await statusJson(p, 'web');
  assert.equal(status.master.pid, masters[0]);
  assert.equal(p.pidOf('web'), masters[0], 'the pidfile names it');
  assert.equal((await runCli(p, ['web', 'stop'])).code, 0);
}, { allowLog: [/\] error: web is already running \(master pid \d+\)\.$/] }));
