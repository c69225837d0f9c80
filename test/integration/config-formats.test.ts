// A config loads in every module format a project can have, with no Node warning printed:
// .js in a CommonJS and in an ES module project, .cjs, .mjs, .json. An `export` in a CommonJS
// project gets a hint that says what to rename; a syntax error shows file:line:col.
// `drover <service> systemd` loads and validates the config without starting anything, so it
// is the cheap probe here; one real start per project kind shows the master loads it too.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { startHttpDaemon } from '../helpers/daemon.js';
import { request } from '../helpers/http.js';
import type { Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';

const TIMEOUT = { timeout: 60_000 };
const ESM = "export default { listen: 'http://127.0.0.1:1', count: 3 };\n";
const CJS = "module.exports = { listen: 'http://127.0.0.1:1', count: 3 };\n";

function commonJsProject(p: Project): void {
  fs.writeFileSync(p.file('package.json'), `${JSON.stringify({ name: 'cjs-project', version: '1.0.0', main: 'index.js' })}\n`);
}

async function loads(p: Project, file: string, text: string): Promise<void> {
  for (const ext of ['js', 'mjs', 'cjs', 'json']) fs.rmSync(p.file(`config/worker_web.${ext}`), { force: true });
  p.writeFile(file, text);
  const r = await runCli(p, ['web', 'systemd', '--user', 'nobody']);
  assert.equal(r.code, 0, `${file}${show(r)}`);
  assert.equal(r.stderr, '', `no warning for ${file}${show(r)}`);
}

test('every format loads without a warning, in an ES module project and in a CommonJS one', TIMEOUT, scenario(async (p) => {
  await loads(p, 'config/worker_web.js', ESM);
  await loads(p, 'config/worker_web.mjs', ESM);
  await loads(p, 'config/worker_web.cjs', CJS);
  await loads(p, 'config/worker_web.json', JSON.stringify({ listen: 'http://127.0.0.1:1', count: 3 }));
  commonJsProject(p);
  await loads(p, 'config/worker_web.js', CJS);
  await loads(p, 'config/worker_web.mjs', ESM);
  await loads(p, 'config/worker_web.cjs', CJS);
  // `export default { ... }` may also be `exports.default` from a transpiler.
  await loads(p, 'config/worker_web.js', "exports.default = { listen: 'http://127.0.0.1:1', count: 3 };\n");
}, { app: false }));

test('a CommonJS project: module.exports config starts the service, without a warning in the log', TIMEOUT, scenario(async (p) => {
  commonJsProject(p);
  p.writeFile('app/server.js', "module.exports = (req, res) => res.end('cjs app');\n");
  const port = await startHttpDaemon(p, { count: 1, app: 'app/server.js' });
  // startHttpDaemon writes JSON; swap in a CommonJS .js config and reload.
  fs.rmSync(p.file('config/worker_web.json'));
  p.writeFile('config/worker_web.js', `module.exports = { listen: 'http://127.0.0.1:${port}', count: 2, app: 'app/server.js' };\n`);
  const reload = await runCli(p, ['web', 'reload']);
  assert.equal(reload.code, 0, show(reload));
  assert.equal(reload.stderr, '', show(reload));
  assert.equal((await request(port, '/')).body, 'cjs app');
  const stop = await runCli(p, ['web', 'stop']);
  assert.equal(stop.code, 0, show(stop));
  assert.doesNotMatch(p.read('logs/web.log'), /Warning|MODULE_TYPELESS/, p.read('logs/web.log'));
}, { app: false }));

test('`export` in a CommonJS project: refused with a hint to rename to .mjs', TIMEOUT, scenario(async (p) => {
  commonJsProject(p);
  p.writeFile('config/worker_web.js', ESM);
  for (const args of [['web', 'systemd'], ['web', 'start', '-d']]) {
    const r = await runCli(p, args);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /^error: config\/worker_web\.js uses ES module syntax \(export\/import\), but this project is CommonJS/m, show(r));
    assert.match(r.stderr, /hint: rename it to config\/worker_web\.mjs, or write it as module\.exports = \{ … \}\./, show(r));
    assert.match(r.stderr, /code: DROVER_ERR_CONFIG$/m, show(r));
    assert.doesNotMatch(r.stderr, /Warning|MODULE_TYPELESS|bug in drover/, show(r));
    assert.equal(r.stderr.match(/^error: /gm)?.length, 1, `printed once${show(r)}`);
  }
  assert.equal(p.pidOf('web'), null, 'nothing started');
}, { app: false }));

test('a syntax error names file:line:col, in every format', TIMEOUT, scenario(async (p) => {
  const cases: Array<[string, string, string]> = [
    ['config/worker_web.mjs', "export default {\n  count: 2,,\n};\n", 'config/worker_web.mjs:2:12'],
    ['config/worker_web.js', "export default {\n  listen: 'http://127.0.0.1:1'\n  count: 2,\n};\n", 'config/worker_web.js:3:3'],
    ['config/worker_web.cjs', "module.exports = {\n  count: 2\n  , , \n};\n", 'config/worker_web.cjs:3:5'],
    ['config/worker_web.json', '{\n  "count": 2,\n}\n', 'config/worker_web.json:3:1'],
  ];
  for (const [file, text, where] of cases) {
    for (const ext of ['js', 'mjs', 'cjs', 'json']) fs.rmSync(p.file(`config/worker_web.${ext}`), { force: true });
    p.writeFile(file, text);
    const r = await runCli(p, ['web', 'start', '-d']);
    assert.equal(r.code, 1, show(r));
    assert.ok(r.stderr.startsWith(`error: ${where}: `), `${where} expected${show(r)}`);
    assert.match(r.stderr, /code: DROVER_ERR_CONFIG$/m, show(r));
  }
}, { app: false }));
