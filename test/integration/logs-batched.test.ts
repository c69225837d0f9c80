// A worker's stdout goes to the master in batches of a few ms (src/log/stdout-batch.ts): what
// must stay true is that nothing a worker wrote is lost or reordered by it. A burst bigger than
// a batch and a pipe arrives whole and in order; a line written just before process.exit()
// is in the log; a write callback still runs (apps that exit from it); stderr is never held,
// so a crash's tail stays complete; a worker stopping writes everything before it exits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { startHttpDaemon } from '../helpers/daemon.js';
import { request } from '../helpers/http.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

const APP = `
import { Buffer } from 'node:buffer';
export default (req, res) => {
  const url = new URL(req.url, 'http://x');
  const tag = url.searchParams.get('tag') ?? '-';
  if (url.pathname === '/burst') {
    // 3,000 lines of ~200 bytes (~600 KiB, many batches, far more than a pipe holds), in one turn
    // of the loop, alternately through console.log, stdout.write of a string and of a Buffer
    // that is overwritten right after the call (a caller may reuse its buffer).
    const scratch = Buffer.alloc(220);
    for (let i = 0; i < 3000; i++) {
      const text = 'burst ' + tag + ' ' + i + ' ' + 'y'.repeat(190);
      if (i % 3 === 0) console.log(text);
      else if (i % 3 === 1) process.stdout.write(text + '\\n');
      else {
        const n = scratch.write(text + '\\n');
        process.stdout.write(scratch.subarray(0, n));
        scratch.fill(0x7a);
      }
    }
    res.end('ok');
    return;
  }
  if (url.pathname === '/stdout-then-exit') {
    res.end('exiting');
    setImmediate(() => {
      console.log('last stdout line of ' + process.pid + ' ' + tag);
      process.exit(3);
    });
    return;
  }
  if (url.pathname === '/exit-in-callback') {
    res.end('exiting');
    setImmediate(() => process.stdout.write('written before the callback ' + process.pid + ' ' + tag + '\\n', () => process.exit(4)));
    return;
  }
  if (url.pathname === '/mixed') {
    console.log('mixed out 1 ' + tag);
    console.error('mixed err 1 ' + tag);
    res.end('ok');
    return;
  }
  res.end('ok');
};
`;

const EXITED = /worker \d+ \(pid \d+\) exited unexpectedly \(code [34]\)/;

test('batched stdout: a burst arrives whole and in order; nothing held is lost at exit; write callbacks run', { timeout: 60_000 }, scenario(async (p) => {
  p.writeFile('app/batched.js', APP);
  const port = await startHttpDaemon(p, { app: 'app/batched.js', count: 1, backoff: { initialMs: 50 } });

  // A burst: every line once, in the order written, none torn or overwritten.
  assert.equal((await request(port, '/burst?tag=b1')).status, 200);
  const burst = await waitFor('the whole burst in the log', () => {
    const lines = p.read('logs/web.log').split('\n').filter((l) => l.includes(' burst b1 '));
    return lines.length >= 3000 ? lines : null;
  });
  assert.equal(burst.length, 3000, 'each line once');
  burst.forEach((line, i) => assert.ok(line.endsWith(` burst b1 ${i} ${'y'.repeat(190)}`), `line ${i} intact and in order: ${line.slice(0, 120)}`));

  // A line written just before process.exit(): the worker's exit writes what it held.
  const first = (await statusJson(p, 'web')).workers[0]!.pid!;
  await request(port, '/stdout-then-exit?tag=e1');
  await waitFor('the worker to be replaced', async () => (await statusJson(p, 'web')).workers[0]?.pid !== first);
  await waitFor('the last stdout line of the exited worker', () => p.read('logs/web.log').includes(`last stdout line of ${first} e1`));

  // An app that exits from the write's callback: the callback runs (once the batch is written).
  const second = await waitFor('a ready worker', async () => {
    const w = (await statusJson(p, 'web')).workers[0];
    return w?.state === 'ready' ? w.pid! : null;
  });
  await request(port, '/exit-in-callback?tag=c1');
  await waitFor('the worker to exit from its write callback', async () => (await statusJson(p, 'web')).workers[0]?.pid !== second);
  assert.ok(p.read('logs/web.log').includes(`written before the callback ${second} c1`));

  // stderr is not held behind stdout: both lines arrive, each on its stream.
  await waitFor('a ready worker', async () => (await statusJson(p, 'web')).workers[0]?.state === 'ready');
  await request(port, '/mixed?tag=m1');
  await waitFor('both mixed lines', () => /stdout\] mixed out 1 m1/.test(p.read('logs/web.log')) && /stderr\] mixed err 1 m1/.test(p.read('logs/web.log')));

  const status = await statusJson(p, 'web');
  assert.equal(status.log.dropped, 0);
  const stopped = await runCli(p, ['web', 'stop']);
  assert.equal(stopped.code, 0, show(stopped));
}, { allowLog: [EXITED, /mixed err 1/] }));

test('batched stdout: a worker stopping writes every line it was given before it exits', { timeout: 60_000 }, scenario(async (p) => {
  p.writeFile('app/batched.js', APP);
  // onWorkerStop logs on stdout as the worker stops: nothing may be held when it exits.
  p.writeFile('app/lifecycle/Lifecycle.js', `export function onWorkerStop() { console.log('stopping ' + process.pid); }\n`);
  const port = await startHttpDaemon(p, { app: 'app/batched.js', count: 2 });
  const pids = (await statusJson(p, 'web')).workers.map((w) => w.pid!);
  await request(port, '/burst?tag=s1');
  const stopped = await runCli(p, ['web', 'stop']);
  assert.equal(stopped.code, 0, show(stopped));
  const log = p.read('logs/web.log');
  for (const pid of pids) assert.ok(log.includes(`stopping ${pid}`), `worker ${pid}'s last line is in the log`);
  assert.equal(log.split('\n').filter((l) => l.includes(' burst s1 ')).length, 3000);
}));
