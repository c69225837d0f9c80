// Every error a user causes reaches the CLI with its own code and hint, printed once, and is
// never called a bug in drover: a worker's DROVER_ERR_APP_LOAD crosses worker → master → CLI
// intact (daemon, foreground, reload); folders drover cannot write give DROVER_ERR_NOT_WRITABLE;
// `drover` alone prints its usage; unknown services and commands get a did-you-mean.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { test } from 'node:test';
import { runCli, show, type CliResult } from '../helpers/cli.js';
import { startHttpDaemon } from '../helpers/daemon.js';
import { freePort } from '../helpers/ports.js';
import { pidsUnder } from '../helpers/processes.js';
import { spawnProduction } from '../helpers/production.js';
import { CLI, type Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 60_000 };

function assertOnce(r: CliResult | { stderr: string; args?: string[] }, code: string, hint: RegExp): void {
  const said = 'code' in r ? show(r as CliResult) : r.stderr;
  assert.equal(r.stderr.match(/^error: /gm)?.length, 1, `one error${said}`);
  assert.match(r.stderr, new RegExp(`^  code: ${code}$`, 'm'), said);
  assert.match(r.stderr, hint, said);
  assert.doesNotMatch(r.stderr, /bug in drover|DROVER_ERR_START_FAILED/, said);
}

async function nothingLeft(p: Project): Promise<void> {
  await waitFor('no process left in the project', () => pidsUnder(p.root).length === 0);
}

test('an app that is missing (DROVER_ERR_APP_LOAD) or exports nothing drover serves (DROVER_ERR_APP_EXPORT): its code and hint, once, from a daemon and from the foreground', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2, app: 'app/missing.js' });
  const missing = await runCli(p, ['web', 'start', '-d']);
  assert.equal(missing.code, 1, show(missing));
  assertOnce(missing, 'DROVER_ERR_APP_LOAD', /hint: check the path in the service config; it is relative to the project root\./);
  assert.match(missing.stderr, /the "app" module "app\/missing\.js" was not found/, show(missing));
  await nothingLeft(p);

  p.writeFile('app/number.js', 'export default 42;\n');
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2, app: 'app/number.js' });
  const foreground = spawnProduction(p, 'web');
  assert.deepEqual(await foreground.waitForExit(), { code: 78, signal: null }, foreground.output());
  assertOnce(foreground, 'DROVER_ERR_APP_EXPORT', /hint: export /);
  assert.match(foreground.output(), /exports .*which drover cannot serve/, foreground.output());
  await nothingLeft(p);
}, { allowLog: [/could not start: worker \d+ \(pid \d+\) failed to boot: the "app" module /], app: false }));

test('a reload that fails on the app names the cause\'s code and hint; the old workers keep serving', TIMEOUT, scenario(async (p) => {
  p.writeFile('app/server.js', "export default (req, res) => res.end('ok');\n");
  await startHttpDaemon(p, { count: 1, app: 'app/server.js' });
  fs.rmSync(p.file('app/server.js'));
  const r = await runCli(p, ['web', 'reload']);
  assert.equal(r.code, 1, show(r));
  assert.equal(r.stderr.match(/^error: /gm)?.length, 1, show(r));
  assert.match(r.stderr, /^error: web reload failed \[DROVER_ERR_APP_LOAD\]: .*was not found/m, show(r));
  assert.match(r.stderr, /hint: check the path in the service config; it is relative to the project root\. The workers that were serving/, show(r));
  assert.match(r.stderr, /code: DROVER_ERR_RELOAD_FAILED/, show(r));
  const stop = await runCli(p, ['web', 'stop']);
  assert.equal(stop.code, 0, show(stop));
  assert.match(p.read('logs/web.log'), /stopping 1 worker \(graceful/, 'the plural agrees');
}, { allowLog: [/reload failed: worker \d+ \(pid \d+\) failed to boot: the "app" module "app\/server\.js" was not found/], app: false }));

test('logs/ not writable and a read-only root: DROVER_ERR_NOT_WRITABLE with a hint, nothing left running', TIMEOUT, scenario(async (p, t) => {
  const root = process.getuid?.() === 0;
  if (root && spawnSync('unshare', ['--version']).status !== 0) return t.skip('root needs unshare to make a read-only folder');
  const port = await freePort();
  p.writeFile('app/server.js', "export default (req, res) => res.end('ok');\n");
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 1, app: 'app/server.js' });
  fs.mkdirSync(p.file('logs'));
  // root writes through any mode bits: a read-only bind mount in a private mount namespace it is.
  const readOnly = async (dir: string, args: string[]): Promise<CliResult> => {
    if (!root) {
      fs.chmodSync(dir, 0o555);
      try {
        return await runCli(p, args);
      } finally {
        fs.chmodSync(dir, 0o755);
      }
    }
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind -o ro "$0" "$0" && exec "$@"', dir, process.execPath, CLI, ...args], { cwd: p.root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 30_000 });
    return { args, code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  };
  const logs = await readOnly(p.file('logs'), ['web', 'start', '-d']);
  assert.equal(logs.code, 1, show(logs));
  assertOnce(logs, 'DROVER_ERR_NOT_WRITABLE', root ? /hint: point drover at a writable place/ : /hint: make it writable by the user running drover/);
  assert.match(logs.stderr, /cannot write .*logs\/web\.log \(the daemon's log\)/, show(logs));
  await nothingLeft(p);

  const rootRo = await readOnly(p.root, ['web', 'start', '--production']);
  assert.equal(rootRo.code, 1, show(rootRo));
  assertOnce(rootRo, 'DROVER_ERR_NOT_WRITABLE', /hint: /);
  assert.match(rootRo.stderr, /cannot write .*pidfiles \(the service's pidfile and control socket\)/, show(rootRo));
  await nothingLeft(p);
}, { app: false }));

test('`drover` alone prints the usage; unknown commands and services get a did-you-mean and the list', TIMEOUT, scenario(async (p) => {
  p.writeConfig('web', { listen: 'http://127.0.0.1:1' });
  p.writeConfig('worker', { handler: 'app/handler.js' });
  const bare = await runCli(p, []);
  assert.equal(bare.code, 2, show(bare));
  assert.match(bare.stderr, /^Usage: drover <service> <command> \[options\]/, show(bare));
  assert.match(bare.stderr, /^\s+init\s/m, show(bare));
  assert.equal(bare.stdout, '', show(bare));

  const command = await runCli(p, ['web', 'stat']);
  assert.equal(command.code, 2, show(command));
  assertOnce(command, 'DROVER_ERR_USAGE', /hint: did you mean "start"\? commands: start, stop, restart, reload, scale, status, connections, logs, reopen-logs, systemd;|hint: did you mean "stop"\?/);

  for (const args of [['wbe', 'status'], ['wbe', 'start', '-d']]) {
    const service = await runCli(p, args);
    assert.equal(service.code, args[1] === 'status' ? 3 : 1, show(service));
    assertOnce(service, 'DROVER_ERR_CONFIG_NOT_FOUND', /hint: did you mean "web"\? \(configured here: web, worker\)/);
  }
  const far = await runCli(p, ['zzzzzz', 'status']);
  assertOnce(far, 'DROVER_ERR_CONFIG_NOT_FOUND', /hint: configured here: web, worker; create config\/worker_zzzzzz\.js .* or run "drover init"\./);

  const version = await runCli(p, ['--version']);
  const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  fs.writeFileSync(p.file('package.json'), JSON.stringify({ name: 'users-app', version: '9.9.9', type: 'module' }));
  const inUserProject = await runCli(p, ['--version']);
  assert.equal(version.stdout.trim(), pkg.version, show(version));
  assert.equal(inUserProject.stdout.trim(), pkg.version, `drover's version, not the project's${show(inUserProject)}`);
}, { app: false }));
