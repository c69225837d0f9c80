// `drover init`: on an empty folder it writes a package.json, a config and an example app that
// start as they are; on a populated project it writes only what is missing, in the project's
// module format, and never overwrites a file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { request } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { scenario } from '../helpers/scenario.js';

const TIMEOUT = { timeout: 60_000 };

function snapshot(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules') continue;
      const full = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(full);
      else files.set(full.slice(root.length + 1), fs.readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return files;
}

test('an empty folder: package.json, config and example app written; the next commands printed; it starts', TIMEOUT, scenario(async (p) => {
  fs.rmSync(p.file('package.json'));
  fs.rmSync(p.file('config'), { recursive: true });
  const r = await runCli(p, ['init']);
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stderr, '', show(r));
  assert.match(r.stdout, /wrote package\.json\n\s+wrote config\/worker_http\.js\n\s+wrote app\/server\.js/, show(r));
  assert.match(r.stdout, /npx drover http start\s/, show(r));
  assert.match(r.stdout, /npx drover http start --production/, show(r));
  assert.equal((JSON.parse(p.read('package.json')) as { type: string }).type, 'module');
  assert.match(p.read('config/worker_http.js'), /^export default \{/m);
  assert.match(p.read('app/server.js'), /^export default \(req, res\) =>/m);

  // What it wrote runs: on a free port, as a daemon.
  const port = await freePort();
  p.writeFile('config/worker_http.js', p.read('config/worker_http.js').replace('http://0.0.0.0:8000', `http://127.0.0.1:${port}`));
  const started = await runCli(p, ['http', 'start', '-d']);
  p.track(p.pidOf('http'));
  assert.equal(started.code, 0, show(started));
  assert.match((await request(port, '/')).body, /^hello from worker [12] \(pid \d+\)/);
  const stopped = await runCli(p, ['http', 'stop']);
  assert.equal(stopped.code, 0, show(stopped));
}, { app: false }));

test('a CommonJS project with an app and a config: nothing overwritten, nothing else changed', TIMEOUT, scenario(async (p) => {
  fs.writeFileSync(p.file('package.json'), '{ "name": "mine", "version": "1.0.0" }\n');
  p.writeFile('app/server.js', '// my app\n');
  p.writeConfig('api', { listen: 'http://127.0.0.1:1', app: 'app/server.js' });
  const before = snapshot(p.root);
  const r = await runCli(p, ['init']);
  assert.equal(r.code, 0, show(r));
  assert.match(r.stdout, /\(CommonJS\)/, show(r));
  assert.match(r.stdout, /kept\s+config\/ \(configures api\)/, show(r));
  assert.match(r.stdout, /kept\s+app\/ \(exists\)/, show(r));
  assert.match(r.stdout, /npx drover api start/, show(r));
  assert.doesNotMatch(r.stdout, /wrote/, show(r));
  assert.deepEqual(snapshot(p.root), before, 'no file written or changed');
}, { app: false }));

test('a CommonJS project with an app but no config: the config is written as CommonJS, the app kept', TIMEOUT, scenario(async (p) => {
  fs.writeFileSync(p.file('package.json'), '{ "name": "mine", "type": "commonjs" }\n');
  p.writeFile('app/server.js', '// my app\n');
  const r = await runCli(p, ['init']);
  assert.equal(r.code, 0, show(r));
  assert.match(p.read('config/worker_http.js'), /^module\.exports = \{/m);
  assert.doesNotMatch(p.read('config/worker_http.js'), /^\s+app: /m, 'no app key: the project\'s app is its own to name');
  assert.equal(p.read('app/server.js'), '// my app\n');
  // A second run keeps everything.
  const again = await runCli(p, ['init']);
  assert.equal(again.code, 0, show(again));
  assert.doesNotMatch(again.stdout, /wrote/, show(again));
}, { app: false }));
