// A master that is alive but does not answer (here: stopped with SIGSTOP, as a master stuck in
// a long synchronous task would be). `status` is what monitors call in a loop: it must come
// back with an error naming the pid, not wait forever.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { killQuietly } from '../helpers/processes.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';

test('status of a master that does not answer fails by itself, naming the pid', { timeout: 90_000 }, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 1 });
  const started = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(started.code, 0, show(started));
  const master = (await statusJson(p, 'web')).master.pid;

  killQuietly(master, 'SIGSTOP');
  try {
    // The helper kills the CLI after 10 s (status normally answers in well under a second); a CLI that gives up by itself exits with a code.
    const r = await runCli(p, ['web', 'status'], { timeoutMs: 10_000 });
    assert.notEqual(r.signal, 'SIGKILL', `status was still waiting after 10 s${show(r)}`);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, new RegExp(`\\b${master}\\b`), `the error names the master's pid${show(r)}`);
  } finally {
    killQuietly(master, 'SIGCONT');
  }
}));
