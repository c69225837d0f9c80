// drover installed the way a user installs it: `npm pack`, then `npm install <tarball>` in a
// fresh CommonJS project and a fresh ES module project, and run there with `npx drover`:
// init, start -d, status, reload, stop. The package holds only what runs (no example app), its
// own --version, and no TypeScript loader unless the project installs one.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { show } from '../helpers/cli.js';
import { request } from '../helpers/http.js';
import { installInto, packDrover, runCommand } from '../helpers/install.js';
import { freePort } from '../helpers/ports.js';
import { pidsUnder } from '../helpers/processes.js';
import { DROVER_DIR, type Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 180_000 };
const VERSION = (JSON.parse(fs.readFileSync(path.join(DROVER_DIR, 'package.json'), 'utf8')) as { version: string }).version;

/** The scenario's project links drover's own node_modules; an installed drover must not see it. */
function isolate(p: Project): void {
  fs.rmSync(p.file('node_modules'));
}

async function lifecycle(p: Project, dir: string, format: 'CommonJS' | 'ES modules'): Promise<void> {
  const npx = (...args: string[]) => runCommand(p, 'npx', ['--no', '--', 'drover', ...args], dir);
  const version = await npx('--version');
  assert.equal(version.stdout.trim(), VERSION, `drover's version, not the project's 7.7.7${show(version)}`);

  const init = await npx('init');
  assert.equal(init.code, 0, show(init));
  assert.match(init.stdout, new RegExp(`\\(${format}\\)`), show(init));
  const port = await freePort();
  const config = path.join(dir, 'config', 'worker_http.js');
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('http://0.0.0.0:8000', `http://127.0.0.1:${port}`));

  const start = await npx('http', 'start', '-d');
  const pid = Number(fs.readFileSync(path.join(dir, 'pidfiles', 'http.pid'), 'utf8'));
  p.track(pid);
  assert.equal(start.code, 0, show(start));
  assert.equal(start.stderr, '', show(start));
  assert.match((await request(port, '/')).body, /^hello from worker [12]/);

  const status = await npx('http', 'status', '--json');
  assert.equal(status.code, 0, show(status));
  const parsed = JSON.parse(status.stdout) as { state: string; master: { version: string; pid: number }; workers: unknown[] };
  assert.equal(parsed.state, 'running');
  assert.equal(parsed.master.version, VERSION);
  assert.equal(parsed.master.pid, pid);
  assert.equal(parsed.workers.length, 2);

  const reload = await npx('http', 'reload');
  assert.equal(reload.code, 0, show(reload));
  assert.match(reload.stdout, /http reloaded in \d+ ms/, show(reload));
  assert.equal(reload.stderr, '', show(reload));

  const stop = await npx('http', 'stop');
  assert.equal(stop.code, 0, show(stop));
  await waitFor('no process left in the project', () => pidsUnder(dir).length === 0);
  const log = fs.readFileSync(path.join(dir, 'logs', 'http.log'), 'utf8');
  assert.doesNotMatch(log, /Warning|MODULE_TYPELESS|error/i, log);
}

async function packed(p: Project): Promise<string> {
  isolate(p);
  const tarball = await packDrover(p, p.file('pack'));
  const list = await runCommand(p, 'tar', ['-tzf', tarball], p.root);
  const files = list.stdout.split('\n').filter(Boolean);
  assert.ok(files.includes('package/dist/cli.js'), 'the CLI is in the package');
  assert.ok(files.includes('package/systemd/drover@.service'), 'the template unit is in the package');
  assert.deepEqual(files.filter((f) => f.startsWith('package/dist/app/') || f.startsWith('package/app/') || f.startsWith('package/test/')), [], 'no example app, no tests');
  return tarball;
}

for (const [name, type, format] of [['cjs', undefined, 'CommonJS'], ['esm', 'module', 'ES modules']] as const) {
  test(`npm pack → npm install in a fresh ${format} project → npx drover init, start -d, status, reload, stop`, TIMEOUT, scenario(async (p) => {
    const tarball = await packed(p);
    const dir = p.file(name);
    const installed = await installInto(p, dir, { name: `users-${name}-app`, version: '7.7.7', private: true, ...(type ? { type } : {}) }, tarball);
    assert.equal(installed.code, 0, show(installed));
    // A JavaScript project gets no TypeScript loader (tsx is an optional peer dependency).
    assert.equal(fs.existsSync(path.join(dir, 'node_modules', 'tsx')), false, 'tsx is not installed');
    assert.equal(fs.existsSync(path.join(dir, 'node_modules', 'esbuild')), false, 'esbuild is not installed');
    await lifecycle(p, dir, format);
  }, { app: false }));
}

test('a TypeScript source with no tsx installed: DROVER_ERR_TYPESCRIPT says to install it; once installed, the sources run', TIMEOUT, scenario(async (p) => {
  const tarball = await packed(p);
  const dir = p.file('ts');
  const installed = await installInto(p, dir, { name: 'users-ts-app', private: true, type: 'module' }, tarball);
  assert.equal(installed.code, 0, show(installed));
  const port = await freePort();
  fs.mkdirSync(path.join(dir, 'config'));
  fs.mkdirSync(path.join(dir, 'app'));
  fs.writeFileSync(path.join(dir, 'config', 'worker_web.json'), JSON.stringify({ listen: `http://127.0.0.1:${port}`, count: 1, app: 'app/server.ts' }));
  fs.writeFileSync(path.join(dir, 'app', 'server.ts'), "export default (req: unknown, res: { end(s: string): void }) => res.end('ts');\n");
  const start = await runCommand(p, 'npx', ['--no', '--', 'drover', 'web', 'start', '-d'], dir);
  assert.equal(start.code, 1, show(start));
  assert.equal(start.stderr.match(/^error: /gm)?.length, 1, show(start));
  assert.match(start.stderr, /app\/server\.ts is TypeScript, and the TypeScript loader "tsx" is not installed/, show(start));
  assert.match(start.stderr, /hint: run "npm install --save-dev tsx"/, show(start));
  assert.match(start.stderr, /code: DROVER_ERR_TYPESCRIPT/, show(start));
  await waitFor('no process left in the project', () => pidsUnder(dir).length === 0);

  // As the hint says: with tsx installed in the project, the sources run with no build step.
  const tsx = await runCommand(p, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--save-dev', 'tsx'], dir);
  assert.equal(tsx.code, 0, show(tsx));
  const again = await runCommand(p, 'npx', ['--no', '--', 'drover', 'web', 'start', '-d'], dir);
  p.track(Number(fs.readFileSync(path.join(dir, 'pidfiles', 'web.pid'), 'utf8')));
  assert.equal(again.code, 0, show(again));
  assert.equal((await request(port, '/')).body, 'ts');
  const stop = await runCommand(p, 'npx', ['--no', '--', 'drover', 'web', 'stop'], dir);
  assert.equal(stop.code, 0, show(stop));
  await waitFor('no process left in the project', () => pidsUnder(dir).length === 0);
}, { app: false }));
