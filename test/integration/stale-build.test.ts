// Production never runs stale code silently: a compiled file older than its TypeScript source
// is said loudly at start and reload and shown by status; a TypeScript file added after the
// build is named too. A compiled file never stands in for a JavaScript source.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { request } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import type { Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';

const TIMEOUT = { timeout: 60_000 };

function age(p: Project, relative: string, secondsAgo: number): void {
  const when = new Date(Date.now() - secondsAgo * 1000);
  fs.utimesSync(p.file(relative), when, when);
}

async function statusJson(p: Project): Promise<{ build?: { dir: string; stale: string[]; missing: string[] } }> {
  const r = await runCli(p, ['web', 'status', '--json']);
  assert.equal(r.code, 0, show(r));
  return JSON.parse(r.stdout) as { build?: { dir: string; stale: string[]; missing: string[] } };
}

test('a build older than its TypeScript source: start, reload and status say so; the compiled code runs until rebuilt', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 1, app: 'app/server.ts' });
  p.writeFile('app/server.ts', "export default (req: unknown, res: { end(s: string): void }) => res.end('source v2');\n");
  p.writeFile('dist/app/server.js', "export default (req, res) => res.end('built v1');\n");
  age(p, 'dist/app/server.js', 60);

  const start = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(start.code, 0, show(start));
  assert.match(start.stdout, /WARNING: STALE BUILD: app\/server\.ts changed after dist\/ was built; production runs the older compiled code\. Run your build/, show(start));
  assert.equal((await request(port, '/')).body, 'built v1', 'production runs the compiled file');
  assert.deepEqual((await statusJson(p)).build, { dir: 'dist', stale: ['app/server.ts'], missing: [] });
  const table = await runCli(p, ['web', 'status']);
  assert.match(table.stdout, /WARNING: STALE BUILD: app\/server\.ts/, show(table));
  assert.match(p.read('logs/web.log'), /WARNING: STALE BUILD: app\/server\.ts/);

  // A TypeScript file added after the build runs from source, and is named.
  p.writeFile('app/extra/Extra.ts', 'export function onWorkerStart(): void {}\n');
  const reload = await runCli(p, ['web', 'reload']);
  assert.equal(reload.code, 0, show(reload));
  assert.match(reload.stderr, /WARNING: STALE BUILD: app\/server\.ts .*NOT BUILT: app\/extra\/Extra\.ts has no compiled file in dist\//, show(reload));

  // Rebuilt: quiet again.
  p.writeFile('dist/app/server.js', "export default (req, res) => res.end('built v2');\n");
  p.writeFile('dist/app/extra/Extra.js', 'export function onWorkerStart() {}\n');
  const rebuilt = await runCli(p, ['web', 'reload']);
  assert.equal(rebuilt.code, 0, show(rebuilt));
  assert.equal(rebuilt.stderr, '', show(rebuilt));
  assert.equal((await request(port, '/')).body, 'built v2');
  assert.equal((await statusJson(p)).build, undefined);
  const stop = await runCli(p, ['web', 'stop']);
  assert.equal(stop.code, 0, show(stop));
}, { allowLog: [/WARNING: STALE BUILD: app\/server\.ts changed after dist\/ was built/], app: false }));

test('a compiled file never shadows a JavaScript source of the same name', TIMEOUT, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 1, app: 'app/server.js' });
  p.writeFile('app/server.js', "export default (req, res) => res.end('javascript source');\n");
  // Left over from a time the app was app/server.ts.
  p.writeFile('dist/app/server.js', "export default (req, res) => res.end('old compiled file');\n");
  const start = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(start.code, 0, show(start));
  assert.doesNotMatch(start.stdout, /WARNING/, show(start));
  assert.equal((await request(port, '/')).body, 'javascript source');
  const stop = await runCli(p, ['web', 'stop']);
  assert.equal(stop.code, 0, show(stop));
}, { app: false }));
