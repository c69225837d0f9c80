// The systemd units drover ships (systemd/drover@.service) and prints (`drover <service>
// systemd`) pass `systemd-analyze verify` (no running systemd needed) without a single warning,
// and carry what a production unit needs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { DROVER_DIR } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';

const TIMEOUT = { timeout: 60_000 };
const REQUIRED = [/^Type=notify$/m, /^NotifyAccess=all$/m, /^User=\S+$/m, /^Restart=on-failure$/m, /^KillMode=mixed$/m, /^ExecReload=.* reload\b/m, /^TimeoutStopSec=\d+$/m, /^RestartPreventExitStatus=78$/m, /^\[Install\]\nWantedBy=multi-user.target$/m];

function verify(file: string): { code: number | null; output: string } {
  const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', env: { ...process.env, SYSTEMD_LOG_COLOR: '0' } });
  if (r.error) throw r.error;
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

test('the shipped template unit verifies without warnings and has what production needs', TIMEOUT, scenario(async (p) => {
  const template = fs.readFileSync(path.join(DROVER_DIR, 'systemd', 'drover@.service'), 'utf8');
  for (const line of REQUIRED) assert.match(template, line);
  assert.match(template, /^ExecStart=\S+ \S+ %i start --production$/m);
  // A template verifies as one of its instances.
  const instance = p.writeFile('units/drover@web.service', template);
  const r = verify(instance);
  assert.equal(r.code, 0, r.output);
  assert.equal(r.output, '', r.output);
  // The package ships it.
  const pkg = JSON.parse(fs.readFileSync(path.join(DROVER_DIR, 'package.json'), 'utf8')) as { files: string[] };
  assert.ok(pkg.files.includes('systemd'), 'package.json "files" ships systemd/');
}, { app: false }));

test('`drover <service> systemd` prints a unit for this project that verifies, with timeouts above the config\'s', TIMEOUT, scenario(async (p) => {
  p.writeConfig('web', { listen: 'http://127.0.0.1:1', stopTimeout: 45_000, readyTimeout: 20_000 });
  const r = await runCli(p, ['web', 'systemd', '--user', 'app']);
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stderr, '', show(r));
  const unit = r.stdout;
  for (const line of REQUIRED) assert.match(unit, line, show(r));
  assert.match(unit, /^User=app$/m);
  assert.match(unit, new RegExp(`^WorkingDirectory=${p.root}$`, 'm'));
  assert.match(unit, new RegExp(`^ExecStart=${process.execPath} \\S+/dist/cli\\.js web start --production --root ${p.root}$`, 'm'));
  assert.ok(Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)![1]) > 45, 'TimeoutStopSec is above stopTimeout');
  assert.ok(Number(/^TimeoutStartSec=(\d+)$/m.exec(unit)![1]) > 20, 'TimeoutStartSec is above readyTimeout');
  const file = p.writeFile('units/app-web.service', unit);
  const verified = verify(file);
  assert.equal(verified.code, 0, verified.output);
  assert.equal(verified.output, '', verified.output);

  // Without --user: the owner of the project root.
  const owner = await runCli(p, ['web', 'systemd']);
  assert.equal(owner.code, 0, show(owner));
  const uid = fs.statSync(p.root).uid;
  const name = fs.readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':')).find((f) => Number(f[2]) === uid)?.[0];
  assert.match(owner.stdout, new RegExp(`^User=${name ?? uid}$`, 'm'));

  // One unit per service: "all" is refused with what to do instead.
  const all = await runCli(p, ['all', 'systemd']);
  assert.equal(all.code, 2, show(all));
  assert.match(all.stderr, /code: DROVER_ERR_USAGE/, show(all));
}, { app: false }));

test('a project path with a space and a percent sign is quoted and escaped so the unit still verifies', TIMEOUT, scenario(async (p) => {
  const root = p.file('my app 100%');
  fs.mkdirSync(path.join(root, 'config'), { recursive: true });
  fs.writeFileSync(path.join(root, 'config', 'worker_web.json'), JSON.stringify({ listen: 'http://127.0.0.1:1' }));
  const r = await runCli(p, ['web', 'systemd', '--user', 'app', '--root', root]);
  assert.equal(r.code, 0, show(r));
  assert.match(r.stdout, /^ExecStart=\S+ \S+ web start --production --root "[^"]*\/my app 100%%"$/m, show(r));
  assert.match(r.stdout, /^WorkingDirectory=\S+\/my app 100%%$/m, show(r));
  const verified = verify(p.writeFile('units/spaced-web.service', r.stdout));
  assert.equal(verified.code, 0, verified.output);
  assert.equal(verified.output, '', verified.output);
}, { app: false }));
