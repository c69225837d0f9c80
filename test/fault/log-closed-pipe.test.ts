// A foreground master whose output pipe closes (`drover http start | head -1`, or
// `npm start | tee log` and Ctrl-C): before, it died of EPIPE and left a stale pidfile and
// socket. Now it keeps serving, counts what it could not write, and stops cleanly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { droverEnv } from '../helpers/cli.js';
import { ForegroundMaster } from '../helpers/foreground.js';
import { CHATTY_APP, sendNumbered } from '../helpers/log-fixtures.js';
import { freePort } from '../helpers/ports.js';
import { isAlive } from '../helpers/processes.js';
import { CLI } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson, workerPids } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

for (const stop of ['SIGTERM', 'SIGINT'] as const) {
  test(`foreground master with its stdout closed: survives, serves, counts the dropped lines, stops on ${stop} removing pidfile and socket`, { timeout: 60_000 }, scenario(async (p) => {
    const port = await freePort();
    p.writeFile('app/chatty.js', CHATTY_APP);
    p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2, app: 'app/chatty.js' });
    const child = spawn(process.execPath, [CLI, 'web', 'start'], { cwd: p.root, env: droverEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    p.trackChild(child);
    const master = new ForegroundMaster(child);
    p.transcript.add(`$ drover web start | (closed after the first lines)  (pid ${child.pid})`, () => master.output());
    await master.waitForOutput(/ running: /);
    const before = await statusJson(p, 'web');
    const pids = [master.pid, ...workerPids(before)];

    // Like `| head -1` exiting: the reading end of the master's stdout is gone.
    child.stdout!.destroy();
    await sendNumbered(port, '/seq', 0, 200);
    const after = await waitFor('the lines written into the closed pipe to be counted', async () => {
      const s = await statusJson(p, 'web');
      return s.log.dropped > 0 ? s : null;
    });
    assert.equal(after.log.lastWriteError?.code, 'EPIPE');
    assert.ok(after.workers.every((w) => w.logDropped > 0), JSON.stringify(after.workers));
    for (const pid of pids) assert.ok(isAlive(pid), `pid ${pid} survived the closed pipe`);
    assert.deepEqual([after.master.pid, ...workerPids(after)], pids, 'no process was replaced');
    assert.deepEqual(after.exits, []);

    // Stopping logs more lines into the closed pipe; the master still finishes its cleanup.
    master.kill(stop);
    const exit = await master.waitForExit();
    assert.deepEqual(exit, { code: 0, signal: null }, master.output());
    assert.ok(!p.exists('pidfiles/web.pid') && !p.exists('pidfiles/web.sock'), 'the master removed its pidfile and socket');
    for (const pid of pids) await waitFor(`pid ${pid} to be gone`, () => !isAlive(pid));
    assert.doesNotMatch(master.stderr, /EPIPE|Error/, 'nothing about the pipe was printed on stderr');
  }));
}
