// Static files from public/: conditional requests, ranges, HEAD, content types, precompressed
// siblings, directory index; and every way out of the folder or into a file it must not serve
// (traversal in every encoding, backslashes, null bytes, symlinks out, dot-files, the deny
// list), each tried raw so no client normalises the path first. A refused file is answered by
// the app exactly as a missing one, and nothing of it leaks.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { startHttpDaemon } from '../helpers/daemon.js';
import { request } from '../helpers/http.js';
import type { Project } from '../helpers/project.js';
import { sendRaw } from '../helpers/raw-http.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson, workerPids } from '../helpers/status.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 60_000 };
const SECRET = 'SECRET-MUST-NOT-LEAK';
const BIG = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));

function writePublic(p: Project): void {
  p.writeFile('public/index.html', '<h1>home</h1>');
  p.writeFile('public/app.js', 'console.log("plain");\n');
  p.writeFile('public/app.js.br', 'BROTLI-BYTES');
  p.writeFile('public/app.js.gz', 'GZIP-BYTES');
  p.writeFile('public/style.css', 'body{}');
  fs.writeFileSync(p.file('public/big.bin'), BIG);
  p.writeFile('public/sub/index.html', '<h1>sub</h1>');
  p.writeFile('public/nodir/readme.md', 'x');
  p.writeFile('public/100%.txt', 'percent');
  for (const name of ['.env', '.hidden/file.txt', 'server.ts', 'app.js.map', 'package.json', 'tsconfig.json', 'CONFIG.TS', '.env.local', 'node_modules/x.js']) {
    p.writeFile(`public/${name}`, SECRET);
  }
  p.writeFile('secret.txt', SECRET);
  p.writeFile('outside/file.txt', SECRET);
  fs.symlinkSync('../secret.txt', p.file('public/link-out.txt'));
  fs.symlinkSync('../outside', p.file('public/dir-out'));
  fs.symlinkSync('app.js', p.file('public/link-in.js'));
  fs.symlinkSync('.env', p.file('public/env-link.txt'));
}

const TRAVERSALS = [
  '/../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt',
  '/..%252fsecret.txt', '/sub/../../secret.txt', '/sub/%2e%2e/%2e%2e/secret.txt', '/..\\secret.txt', '/%5c..%5csecret.txt',
  '/sub\\..\\..\\secret.txt', '/app.js%00.html', '/app.js%00', '/%00', '//secret.txt', '/.%2e/secret.txt',
  '/link-out.txt', '/dir-out/file.txt', '/dir-out/', '/env-link.txt',
  '/.env', '/.env.local', '/%2eenv', '/.hidden/file.txt', '/%2ehidden/file.txt', '/server.ts', '/CONFIG.TS', '/app.js.map',
  '/package.json', '/tsconfig.json', '/node_modules/x.js', '/sub/..%2f.env',
];

test('public/: 304s, ranges, HEAD, types, precompressed siblings, index; served before the routes', TIMEOUT, scenario(async (p) => {
  writePublic(p);
  const port = await startHttpDaemon(p);
  const js = await request(port, '/app.js');
  assert.equal(js.status, 200);
  assert.equal(js.body, 'console.log("plain");\n');
  assert.match(js.headers['content-type'] ?? '', /javascript/);
  assert.equal(js.headers['cache-control'], 'public, max-age=0');
  assert.equal(js.headers.vary, 'Accept-Encoding');
  const etag = js.headers.etag!;
  assert.ok(etag && js.headers['last-modified'], 'ETag and Last-Modified');
  assert.equal((await request(port, '/app.js', { headers: { 'if-none-match': etag } })).status, 304);
  assert.equal((await request(port, '/app.js', { headers: { 'if-modified-since': js.headers['last-modified']! } })).status, 304);
  assert.equal((await request(port, '/app.js', { headers: { 'if-none-match': '"other"' } })).status, 200);

  const range = await request(port, '/big.bin', { headers: { range: 'bytes=10-19' } });
  assert.equal(range.status, 206);
  assert.equal(range.headers['content-range'], `bytes 10-19/${BIG.length}`);
  assert.equal(range.headers['content-length'], '10');
  const unsatisfiable = await request(port, '/big.bin', { headers: { range: 'bytes=20000-' } });
  assert.equal(unsatisfiable.status, 416);
  assert.equal(unsatisfiable.headers['content-range'], `bytes */${BIG.length}`);

  const head = await request(port, '/style.css', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal(head.headers['content-length'], '6');
  assert.match(head.headers['content-type'] ?? '', /^text\/css/);

  const br = await request(port, '/app.js', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
  assert.deepEqual([br.body, br.headers['content-encoding']], ['BROTLI-BYTES', 'br']);
  assert.match(br.headers['content-type'] ?? '', /javascript/, 'the type of the file, not of .br');
  const gz = await request(port, '/app.js', { headers: { 'accept-encoding': 'br;q=0, gzip' } });
  assert.deepEqual([gz.body, gz.headers['content-encoding']], ['GZIP-BYTES', 'gzip']);
  const identity = await request(port, '/app.js', { headers: { 'accept-encoding': 'identity' } });
  assert.deepEqual([identity.body, identity.headers['content-encoding']], ['console.log("plain");\n', undefined]);
  const plainCss = await request(port, '/style.css', { headers: { 'accept-encoding': 'br, gzip' } });
  assert.deepEqual([plainCss.body, plainCss.headers['content-encoding']], ['body{}', undefined], 'no sibling: the file itself');

  assert.equal((await request(port, '/')).body, '<h1>home</h1>');
  const noSlash = await request(port, '/sub?x=1');
  assert.deepEqual([noSlash.status, noSlash.headers.location], [301, '/sub/?x=1']);
  assert.equal((await request(port, '/sub/')).body, '<h1>sub</h1>');
  assert.equal((await request(port, '/link-in.js')).body, 'console.log("plain");\n', 'a symlink that stays inside is served');
  assert.equal((await request(port, '/100%25.txt')).body, 'percent');
  const folderWithoutIndex = await request(port, '/nodir/');
  assert.equal(folderWithoutIndex.status, 404, 'no listing: the routes answer');
  assert.equal((await request(port, '/app.js', { method: 'POST' })).status, 404, 'only GET and HEAD are static');
  const route = await request(port, '/worker/HttpExamples/index');
  assert.equal(route.status, 200, 'the routes still answer what public/ does not hold');

  const status = await statusJson(p, 'web');
  assert.deepEqual(status.exits, []);
  assert.doesNotMatch(p.read('logs/web.log'), /\bat .+:\d+:\d+|Error/);
}));

test('public/: no traversal, backslash, null byte, symlink out, dot-file or denied name is served', TIMEOUT, scenario(async (p) => {
  writePublic(p);
  const port = await startHttpDaemon(p);
  const pids = workerPids(await statusJson(p, 'web'));
  const leaks: string[] = [];
  for (const target of TRAVERSALS) {
    for (const method of ['GET', 'HEAD']) {
      const r = await sendRaw(port, `${method} ${target} HTTP/1.1\r\nHost: t\r\nAccept-Encoding: br, gzip\r\nConnection: close\r\n\r\n`);
      if (r.text.includes(SECRET) || !(r.statuses[0] === 404 || r.statuses[0] === 400)) leaks.push(`${method} ${target} → ${r.statuses.join(',')} ${JSON.stringify(r.text.slice(0, 160))}`);
    }
  }
  assert.deepEqual(leaks, [], `served what it must not:\n${leaks.join('\n')}`);
  assert.deepEqual(workerPids(await statusJson(p, 'web')), pids);
  assert.doesNotMatch(p.read('logs/web.log'), /\bat .+:\d+:\d+|Error/);
}));

test('publicDir, static.cacheControl, static.index false and a deny list of your own; a missing publicDir fails the start', TIMEOUT, scenario(async (p) => {
  p.writeFile('assets/a.txt', 'denied by the list');
  p.writeFile('assets/x.css', 'x{}');
  p.writeFile('assets/index.html', 'no index');
  p.writeFile('assets/app.js', 'js');
  p.writeFile('assets/app.js.br', 'BR');
  p.writeFile('apps/app.mjs', "export default (req, res) => res.end('app:' + req.url);\n");
  const port = await startHttpDaemon(p, {
    app: 'apps/app.mjs',
    publicDir: 'assets',
    static: { cacheControl: 'public, max-age=3600, immutable', index: false, deny: ['*.txt'], precompressed: false },
  });
  const css = await request(port, '/x.css');
  assert.deepEqual([css.body, css.headers['cache-control']], ['x{}', 'public, max-age=3600, immutable']);
  assert.equal((await request(port, '/a.txt')).body, 'app:/a.txt', 'a denied name goes to the app');
  assert.equal((await request(port, '/')).body, 'app:/', 'no index: the app answers /');
  const js = await request(port, '/app.js', { headers: { 'accept-encoding': 'br' } });
  assert.deepEqual([js.body, js.headers['content-encoding']], ['js', undefined], 'precompressed: false');
  assert.equal((await request(port, '/server.ts')).body, 'app:/server.ts');

  const missingPort = await freePort();
  p.writeConfig('other', { listen: `http://127.0.0.1:${missingPort}`, count: 1, publicDir: 'nowhere' });
  const failed = await runCli(p, ['other', 'start', '-d']);
  p.track(p.pidOf('other'));
  assert.equal(failed.code, 1, show(failed));
  assert.match(failed.stderr, /"publicDir" names nowhere, which is not a folder/);
  assert.match(failed.stderr, /DROVER_ERR_CONFIG/);
}));

// Issue 14: a request whose first segment names nothing at the top of public/ goes to the app
// without touching the disk; the names are kept by a watch on the folder, so what is added,
// deleted or replaced at runtime is seen without a reload.
test('public/ changed at runtime: a new top-level file is served, a deleted one goes to the app, "/" follows index.html', TIMEOUT, scenario(async (p) => {
  p.writeFile('public/style.css', 'body{}');
  p.writeFile('apps/app.mjs', "export default (req, res) => res.end('app:' + req.url);\n");
  const port = await startHttpDaemon(p, { app: 'apps/app.mjs', count: 1 });
  const pids = workerPids(await statusJson(p, 'web'));
  assert.equal((await request(port, '/style.css')).body, 'body{}');
  assert.equal((await request(port, '/api/users?x=1')).body, 'app:/api/users?x=1', 'a miss goes to the app');
  assert.equal((await request(port, '/')).body, 'app:/', 'no index.html: the app answers /');
  assert.equal((await request(port, '/new.txt')).body, 'app:/new.txt');

  p.writeFile('public/new.txt', 'added at runtime');
  await waitFor('public/new.txt served', async () => (await request(port, '/new.txt')).body === 'added at runtime', { timeoutMs: 10_000 });
  p.writeFile('public/index.html', '<h1>home</h1>');
  await waitFor('public/index.html served for /', async () => (await request(port, '/')).body === '<h1>home</h1>', { timeoutMs: 10_000 });
  p.writeFile('public/new dir/a b.txt', 'in a new folder');
  await waitFor('a file in a new folder served', async () => (await request(port, '/new%20dir/a%20b.txt')).body === 'in a new folder', { timeoutMs: 10_000 });

  fs.rmSync(p.file('public/new.txt'));
  await waitFor('a deleted file answered by the app', async () => (await request(port, '/new.txt')).body === 'app:/new.txt', { timeoutMs: 10_000 });
  fs.rmSync(p.file('public/index.html'));
  await waitFor('"/" answered by the app again', async () => (await request(port, '/')).body === 'app:/', { timeoutMs: 10_000 });

  // The folder replaced as a deploy does it: renamed away, a new one put in its place.
  fs.renameSync(p.file('public'), p.file('public.old'));
  p.writeFile('public.new/fresh.txt', 'fresh');
  fs.renameSync(p.file('public.new'), p.file('public'));
  await waitFor('a file of the replacing folder served', async () => (await request(port, '/fresh.txt')).body === 'fresh', { timeoutMs: 10_000 });
  // The open-file cache may answer from the old folder for up to static.fileCache.validMs (1 s),
  // as nginx's open_file_cache_valid does; after that the old folder is gone for good.
  await waitFor('the old folder no longer served', async () => (await request(port, '/style.css')).body === 'app:/style.css', { timeoutMs: 10_000 });

  assert.deepEqual(workerPids(await statusJson(p, 'web')), pids);
  assert.deepEqual((await statusJson(p, 'web')).exits, []);
  assert.doesNotMatch(p.read('logs/web.log'), /\bat .+:\d+:\d+|Error|warn/i);
}));
