// Logs an operator can use (issue 11): every line says when, which service, which process
// and pid, which stream; JSON lines for shippers; `logs` with -n and --worker; a size cap
// that bounds the disk even under a crash loop; the reason for a crash in `status`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { startHttpDaemon } from '../helpers/daemon.js';
import { startForeground } from '../helpers/foreground.js';
import { CHATTY_APP, sendNumbered } from '../helpers/log-fixtures.js';
import { freePort } from '../helpers/ports.js';
import { request } from '../helpers/http.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';
import { waitFor } from '../helpers/wait.js';

const TEXT_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[web (master|worker (\d+)) pid (\d+) (stdout|stderr)\] /;

test('text lines carry time, service, worker id, pid and stream; logs -n and --worker pick them', { timeout: 60_000 }, scenario(async (p) => {
  p.writeFile('app/chatty.js', CHATTY_APP);
  const port = await startHttpDaemon(p, { app: 'app/chatty.js', count: 2 });
  const status = await statusJson(p, 'web');
  await sendNumbered(port, '/seq', 0, 20, 2);
  await sendNumbered(port, '/err', 0, 4, 2);
  await waitFor('the lines in the log', () => /seq=19 /.test(p.read('logs/web.log')) && /err=3/.test(p.read('logs/web.log')));

  const lines = p.read('logs/web.log').trimEnd().split('\n');
  for (const line of lines) assert.match(line, TEXT_LINE);
  const pidOf = new Map(status.workers.map((w) => [w.id, w.pid]));
  for (const line of lines.filter((l) => / worker \d+ /.test(l))) {
    const [, , id, pid] = TEXT_LINE.exec(line)!;
    assert.equal(Number(pid), pidOf.get(Number(id)), `worker ${id}'s pid in: ${line}`);
  }
  assert.ok(lines.some((l) => / stderr\] err=\d$/.test(l)), 'stderr lines say so');
  assert.ok(lines.some((l) => / stdout\] seq=\d+ /.test(l)));
  assert.ok(lines.some((l) => new RegExp(`\\[web master pid ${status.master.pid} stdout\\] web running: 2 workers`).test(l)));

  const last = await runCli(p, ['web', 'logs', '-n', '3']);
  assert.equal(last.code, 0, show(last));
  assert.deepEqual(last.stdout.trimEnd().split('\n'), lines.slice(-3));
  const second = await runCli(p, ['web', 'logs', '-n', '1000', '--worker', '2']);
  const expected = lines.filter((l) => / \[web worker 2 /.test(l));
  assert.ok(expected.length > 0);
  assert.deepEqual(second.stdout.trimEnd().split('\n'), expected, show(second));
  const master = await runCli(p, ['web', 'logs', '--worker', 'master']);
  assert.ok(master.stdout.trimEnd().split('\n').every((l) => / \[web master pid /.test(l)), show(master));

  const bad = await runCli(p, ['web', 'logs', '--worker', 'two']);
  assert.equal(bad.code, 2, show(bad));
  assert.match(bad.stderr, /code: DROVER_ERR_USAGE/);
  const none = await runCli(p, ['other', 'logs'], {});
  assert.notEqual(none.code, 0);
}));

test('logFormat "json": one JSON object per line, fields for shippers; logs --worker reads them', { timeout: 60_000 }, scenario(async (p) => {
  p.writeFile('app/chatty.js', CHATTY_APP);
  const port = await startHttpDaemon(p, { app: 'app/chatty.js', count: 2, logFormat: 'json' });
  await sendNumbered(port, '/seq', 0, 10, 2);
  await sendNumbered(port, '/err', 0, 2, 1);
  await waitFor('the lines in the log', () => /seq=9 /.test(p.read('logs/web.log')) && /err=1/.test(p.read('logs/web.log')));
  const records = p
    .read('logs/web.log')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const r of records) {
    assert.equal(typeof r.time, 'string');
    assert.ok(!Number.isNaN(Date.parse(r.time as string)));
    assert.equal(r.service, 'web');
    assert.ok(r.process === 'master' || (r.process === 'worker' && typeof r.worker === 'number'), JSON.stringify(r));
    assert.equal(typeof r.pid, 'number');
    assert.ok(r.stream === 'stdout' || r.stream === 'stderr');
    assert.equal(typeof r.message, 'string');
  }
  assert.ok(records.some((r) => r.stream === 'stderr' && r.message === 'err=0'));
  const one = await runCli(p, ['web', 'logs', '-n', '100', '--worker', '1']);
  const mine = one.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { worker: number });
  assert.ok(mine.length > 0 && mine.every((r) => r.worker === 1), show(one));
}));

test('a crashed worker: status and status --json show the end of its stderr, not only its exit code', { timeout: 60_000 }, scenario(async (p) => {
  p.writeFile('app/chatty.js', CHATTY_APP);
  const port = await startHttpDaemon(p, { app: 'app/chatty.js', count: 1, backoff: { initialMs: 50 } });
  const before = await statusJson(p, 'web');
  const victim = before.workers[0]!.pid!;
  await request(port, '/crash');
  const after = await waitFor('the crash in status', async () => {
    const s = await statusJson(p, 'web');
    const crash = s.workers[0]?.lastCrash;
    return crash && crash.stderr.some((l) => /crashed on purpose/.test(l)) ? s : null;
  });
  const crash = after.workers[0]!.lastCrash!;
  assert.equal(crash.pid, victim);
  assert.equal(crash.code, 1);
  assert.ok(crash.stderr.includes(`last words of ${victim}: the database is on fire`), JSON.stringify(crash.stderr));
  assert.ok(crash.stderr.length <= 20, 'the tail is bounded');
  const table = await runCli(p, ['web', 'status']);
  assert.match(table.stdout, new RegExp(`last crash of worker 1: pid ${victim}, exit code 1, at .*; its last stderr lines:`), show(table));
  assert.match(table.stdout, /\| Error: crashed on purpose by the test/, show(table));
}, { allowLog: [/Error: crashed on purpose by the test/, /^\s+at /, /worker \d+ \(pid \d+\) exited unexpectedly \(code 1\)/] }));

test('logMaxSize: drover rotates the log itself; a crash loop cannot fill the disk', { timeout: 60_000 }, scenario(async (p) => {
  p.writeFile('app/chatty.js', CHATTY_APP);
  const maxSize = 16 * 1024;
  const port = await startHttpDaemon(p, { app: 'app/chatty.js', count: 2, logMaxSize: maxSize, logMaxFiles: 2, backoff: { initialMs: 10, maxMs: 20 } });
  await sendNumbered(port, '/seq', 0, 500);
  // Workers that crash again and again, each with a stack on stderr.
  let crashes = 0;
  for (let attempt = 0; crashes < 4 && attempt < 20; attempt++) {
    // A worker that answered "crashing" throws right after.
    if ((await request(port, '/crash').catch(() => null))?.body === 'crashing') crashes += 1;
    await waitFor('a worker to serve again', () => request(port, '/seq?n=crash').then((r) => r.status === 200, () => false));
  }
  assert.equal(crashes, 4, 'four workers crashed');
  await waitFor('the rotated files', () => p.exists('logs/web.log.2'));
  const files = fs.readdirSync(p.file('logs')).sort();
  assert.deepEqual(files, ['web.log', 'web.log.1', 'web.log.2'], 'the log and logMaxFiles rotated files, no more');
  // A batch may cross the cap once before it rotates: at most 256 KiB over.
  for (const f of files) assert.ok(fs.statSync(p.file(`logs/${f}`)).size <= maxSize + 256 * 1024, `${f} is bounded`);
  const status = await waitFor('the 4 crashes counted', async () => {
    const s = await statusJson(p, 'web');
    return s.exits.reduce((a, e) => a + e.count, 0) === 4 ? s : null;
  });
  assert.equal(status.log.maxSize, maxSize);
  assert.equal(status.log.dropped, 0);
}, { allowLog: [/Error: crashed on purpose by the test/, /^\s+at /, /worker \d+ \(pid \d+\) exited unexpectedly \(code 1\)/] }));

test('foreground: worker lines on the terminal with the same prefixes, stdout on stdout and stderr on stderr', { timeout: 60_000 }, scenario(async (p) => {
  const port = await freePort();
  p.writeFile('app/chatty.js', CHATTY_APP);
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 1, app: 'app/chatty.js' });
  // Written while the worker stops: it reaches the master after the worker's exit.
  p.writeFile('app/worker/Worker.ts', `export function onWorkerStop() { console.log('bye from ' + process.pid); }\n`);
  const master = await startForeground(p, 'web');
  await sendNumbered(port, '/seq', 0, 3, 1);
  await sendNumbered(port, '/err', 0, 1, 1);
  await master.waitForOutput(/seq=2 /);
  await master.waitForOutput(/err=0/);
  assert.match(master.stdout, /Z \[web worker 1 pid \d+ stdout\] seq=2 /);
  assert.match(master.stderr, /Z \[web worker 1 pid \d+ stderr\] err=0\n/);
  assert.doesNotMatch(master.stdout, /err=0/);
  assert.match(master.stdout, /Z \[web master pid \d+ stdout\] web running: 1 worker\b/);
  master.kill('SIGTERM');
  assert.deepEqual(await master.waitForExit(), { code: 0, signal: null }, master.output());
  assert.match(master.stdout, /\[web master pid \d+ stdout\] stopped\n/, 'the master\'s last line reached the terminal before the exit');
  assert.match(master.stdout, /\[web worker 1 pid (\d+) stdout\] bye from \1\n/, 'the worker\'s last line too');
}));

test('reopen-logs that cannot open the path: DROVER_ERR_LOG, and lines keep going to the file that was open', { timeout: 60_000 }, scenario(async (p) => {
  p.writeFile('app/chatty.js', CHATTY_APP);
  const port = await startHttpDaemon(p, { app: 'app/chatty.js', count: 1 });
  // The log's folder moved away and a file took its name: the path cannot be opened.
  fs.renameSync(p.file('logs'), p.file('old-logs'));
  p.writeFile('logs', 'not a folder\n');
  const refused = await runCli(p, ['web', 'reopen-logs']);
  assert.equal(refused.code, 1, show(refused));
  assert.match(refused.stderr, /code: DROVER_ERR_LOG\n/, show(refused));
  await sendNumbered(port, '/seq', 0, 5, 1);
  await waitFor('the lines in the file that was open', () => /seq=4 /.test(p.read('old-logs/web.log')));
  fs.rmSync(p.file('logs'));
  fs.renameSync(p.file('old-logs'), p.file('logs'));
  const status = await statusJson(p, 'web');
  assert.equal(status.log.dropped, 0);
}));
