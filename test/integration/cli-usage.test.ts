// The command line itself: --help, --version, usage errors (exit 2), not-running answers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { droverEnv, runCli, show } from '../helpers/cli.js';
import { startHttpDaemon } from '../helpers/daemon.js';
import { CLI } from '../helpers/project.js';
import { isAlive } from '../helpers/processes.js';
import { scenario } from '../helpers/scenario.js';

const TIMEOUT = { timeout: 60_000 };

test('--help exits 0 and lists the commands', TIMEOUT, scenario(async (p) => {
  for (const args of [['--help'], ['-h'], ['web', 'start', '--help']]) {
    const r = await runCli(p, args);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /Usage: drover <service> <command>/, show(r));
    for (const command of ['start', 'stop', 'restart', 'reload', 'status', 'connections']) {
      assert.match(r.stdout, new RegExp(`^\\s+${command}\\b`, 'm'), `--help lists ${command}${show(r)}`);
    }
    assert.equal(r.stderr, '', show(r));
  }
}, { app: false }));

test('--version exits 0 with the version', TIMEOUT, scenario(async (p) => {
  const r = await runCli(p, ['--version']);
  assert.equal(r.code, 0, show(r));
  assert.match(r.stdout, /^\d+\.\d+\.\d+/, show(r));
}, { app: false }));

test('usage errors exit 2 with DROVER_ERR_USAGE', TIMEOUT, scenario(async (p) => {
  p.writeConfig('web', { listen: 'http://127.0.0.1:1' });
  const cases = [
    ['web', 'frobnicate'],
    ['web'],
    ['web', 'start', '--json'],
    ['web', 'stop', '-d'],
    ['web', 'status', '--bogus'],
    ['web', 'reload', '--force'],
  ];
  for (const args of cases) {
    const r = await runCli(p, args);
    assert.equal(r.code, 2, show(r));
    assert.match(r.stderr, /^error: /m, show(r));
    assert.match(r.stderr, /code: DROVER_ERR_USAGE/, show(r));
    assert.equal(p.pidOf('web'), null, `nothing started by: drover ${args.join(' ')}`);
  }
}, { app: false }));

test('commands that need a running master say it is not running', TIMEOUT, scenario(async (p) => {
  p.writeConfig('web', { listen: 'http://127.0.0.1:1' });
  for (const [args, code] of [
    [['web', 'status'], 3],
    [['web', 'status', '--json'], 3],
    [['web', 'reload'], 1],
    [['web', 'connections'], 1],
  ] as const) {
    const r = await runCli(p, [...args]);
    assert.equal(r.code, code, show(r));
    if ((args as readonly string[]).includes('--json')) assert.deepEqual(JSON.parse(r.stdout), { service: 'web', state: 'stopped' }, show(r));
    else assert.match(r.stderr, /web is not running[\s\S]*code: DROVER_ERR_NOT_RUNNING/, show(r));
  }
  const stop = await runCli(p, ['web', 'stop']);
  assert.equal(stop.code, 0, show(stop));
  assert.match(stop.stderr, /web is not running; nothing to stop/, show(stop));
}, { app: false }));

// dist/cli.js is CommonJS (scripts/bundle.mjs): an ES module entry makes node load its ESM
// loader, which on Node 20 brings fs/promises, the streams and readline: 14M of the 136M
// instructions `status` took. Built as an ES module again, this fails on Node 20 (Node 22 and
// 24 load those two lazily, so there it passes either way).
test('status and connections start without node\'s ES module loader: fs/promises and readline stay unloaded', TIMEOUT, scenario(async (p) => {
  p.writeConfig('web', { listen: 'http://127.0.0.1:1' });
  const hook = path.join(p.root, 'load-list.cjs');
  fs.writeFileSync(hook, "process.on('exit', () => require('node:fs').writeFileSync(process.env.LOAD_LIST, process.moduleLoadList.join('\\n')));\n");
  for (const args of [['web', 'status'], ['web', 'status', '--json', '--root', p.root], ['all', 'status'], ['web', 'connections']]) {
    const list = path.join(p.root, 'load-list.txt');
    fs.rmSync(list, { force: true });
    const r = spawnSync(process.execPath, ['--require', hook, CLI, ...args], { cwd: p.root, env: droverEnv({ LOAD_LIST: list }), encoding: 'utf8', timeout: 30_000 });
    const said = `\n$ drover ${args.join(' ')}\nexit: ${r.status}\n${r.stdout}${r.stderr}`;
    assert.ok(r.status === 1 || r.status === 3, `not running: exit 3 (status) or 1 (connections)${said}`);
    const loaded = fs.readFileSync(list, 'utf8').split('\n');
    assert.ok(loaded.includes('NativeModule net'), `the list is node's (it has net)${said}`);
    for (const module of ['NativeModule internal/fs/promises', 'NativeModule internal/readline/interface']) {
      assert.ok(!loaded.includes(module), `${module} was loaded${said}`);
    }
  }
}, { app: false }));

test('a reader that leaves early (`| head`): no stack trace, the command still does its work and keeps its exit code', TIMEOUT, scenario(async (p) => {
  p.writeConfig('idle', { listen: 'http://127.0.0.1:1' });
  await startHttpDaemon(p, { count: 1 });
  await startHttpDaemon(p, { count: 1 }, 'web2');
  const masters = [p.pidOf('web')!, p.pidOf('web2')!];
  for (const [args, code] of [
    [['web', 'status'], 0],
    [['web', 'status', '--json'], 0],
    [['web', 'status', '-w'], 0], // would print every second for ever
    [['web', 'connections', '--json'], 0],
    [['web', 'logs', '-n', '5'], 0],
    [['web', 'systemd'], 0],
    [['idle', 'status', '--json'], 3], // not running: its own exit code, not 0
    [['all', 'status', '--json'], 3],
  ] as const) {
    const r = await runCli(p, [...args], { closeStdout: true, timeoutMs: 10_000 });
    assert.equal(r.code, code, show(r));
    assert.equal(r.stderr, '', `no stack trace, nothing at all${show(r)}`);
  }
  // The first "stopped" line fails to print; the second service is stopped all the same.
  const stop = await runCli(p, ['all', 'stop'], { closeStdout: true });
  assert.match(stop.stderr, /idle is not running; nothing to stop/, show(stop));
  assert.doesNotMatch(stop.stderr, /EPIPE|at /, show(stop));
  for (const pid of masters) assert.equal(isAlive(pid), false, `master ${pid} stopped${show(stop)}`);
}));

test('stdout on a full disk (`> /dev/full`): the error is said once with its code, exit 1, and the command still does its work', { ...TIMEOUT, skip: !fs.existsSync('/dev/full') && 'no /dev/full here' }, scenario(async (p) => {
  await startHttpDaemon(p, { count: 1 });
  const master = p.pidOf('web')!;
  for (const args of [['web', 'status'], ['web', 'status', '--json'], ['web', 'status', '-w'], ['web', 'connections']]) {
    const r = await runCli(p, args, { stdoutTo: '/dev/full', timeoutMs: 10_000 });
    assert.equal(r.code, 1, show(r));
    assert.equal(r.stderr.match(/code: DROVER_ERR_OUTPUT/g)?.length, 1, `said once${show(r)}`);
    assert.match(r.stderr, /^error: could not write this command's output to stdout \(ENOSPC\)/, show(r));
    assert.doesNotMatch(r.stderr, /\n\s+at /, `no stack trace${show(r)}`);
  }
  const stop = await runCli(p, ['web', 'stop'], { stdoutTo: '/dev/full' });
  assert.equal(stop.code, 1, show(stop));
  assert.match(stop.stderr, /DROVER_ERR_OUTPUT/, show(stop));
  assert.equal(isAlive(master), false, `the master stopped all the same${show(stop)}`);
}));

test('--root and DROVER_ROOT select the project from another directory', TIMEOUT, scenario(async (p) => {
  p.writeConfig('web', { listen: 'http://127.0.0.1:1' });
  const viaFlag = await runCli(p, ['web', 'status', '--root', p.root], { cwd: '/' });
  assert.equal(viaFlag.code, 3, show(viaFlag));
  assert.ok(viaFlag.stderr.includes(`${p.root}/pidfiles/web.sock`), show(viaFlag));
  const viaEnv = await runCli(p, ['web', 'status'], { cwd: '/', env: { DROVER_ROOT: p.root } });
  assert.equal(viaEnv.code, 3, show(viaEnv));
  assert.ok(viaEnv.stderr.includes(`${p.root}/pidfiles/web.sock`), show(viaEnv));
}, { app: false }));
