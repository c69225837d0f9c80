// The open-file cache of static files (src/worker/open-file-cache.ts) seen from a client: a file
// changed, deleted or replaced by a symlink out of public/ is served fresh once the validity has
// passed, and in between only ever as one whole version (body, Content-Length and ETag agree);
// the symlink's target never leaks. Under tight bounds every file still comes out whole, and
// the answers from memory carry the headers `send` gives from disk.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { startHttpDaemon } from '../helpers/daemon.js';
import { request, type HttpResult } from '../helpers/http.js';
import { scenario } from '../helpers/scenario.js';
import { waitFor } from '../helpers/wait.js';

const TIMEOUT = { timeout: 60_000 };
const SECRET = 'SECRET-MUST-NOT-LEAK';
const APP = "export default (req, res) => res.end('app:' + req.url);\n";

/** A whole version of a file: its body and both length headers agree (W/"<size hex>-<mtime hex>"). */
function assertWhole(r: HttpResult, what: string): void {
  assert.equal(r.status, 200, what);
  if (r.body.startsWith('app:')) return;
  assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.body), `${what}: Content-Length`);
  assert.equal(/^W\/"([0-9a-f]+)-/.exec(String(r.headers.etag))?.[1], Buffer.byteLength(r.body).toString(16), `${what}: ETag`);
}

test('a changed, deleted or symlinked-out file is seen once the validity has passed; nothing leaks meanwhile', TIMEOUT, scenario(async (p) => {
  p.writeFile('apps/app.mjs', APP);
  p.writeFile('public/a.txt', 'one');
  p.writeFile('public/b.txt', 'public b');
  p.writeFile('public/c.txt', 'to be deleted');
  p.writeFile('secret.txt', SECRET);
  const port = await startHttpDaemon(p, { app: 'apps/app.mjs', count: 1, static: { fileCache: { validMs: 1000 } } });
  for (const [file, body] of [['/a.txt', 'one'], ['/b.txt', 'public b'], ['/c.txt', 'to be deleted']]) {
    assert.equal((await request(port, file!)).body, body);
  }

  p.writeFile('public/a.txt', 'two, and longer');
  await waitFor('the changed file served', async () => {
    const r = await request(port, '/a.txt');
    assertWhole(r, 'a.txt while it changes');
    assert.ok(['one', 'two, and longer'].includes(r.body), r.body);
    return r.body === 'two, and longer';
  }, { timeoutMs: 10_000 });

  fs.rmSync(p.file('public/b.txt'));
  fs.symlinkSync('../secret.txt', p.file('public/b.txt'));
  await waitFor('the symlink out refused (the app answers)', async () => {
    const r = await request(port, '/b.txt');
    assert.doesNotMatch(r.body, /SECRET/, 'the target of a symlink out of public/ never leaks');
    assertWhole(r, 'b.txt while it is swapped');
    return r.body === 'app:/b.txt';
  }, { timeoutMs: 10_000 });

  fs.rmSync(p.file('public/c.txt'));
  await waitFor('the deleted file answered by the app', async () => {
    const r = await request(port, '/c.txt');
    assertWhole(r, 'c.txt while it is deleted');
    return r.body === 'app:/c.txt';
  }, { timeoutMs: 10_000 });
}));

test('tight bounds: every file still comes out whole; answers from memory carry the headers send gives', TIMEOUT, scenario(async (p) => {
  p.writeFile('apps/app.mjs', APP);
  const files = Array.from({ length: 12 }, (_, i) => [`/f${i}.css`, `body{order:${i}}`.padEnd(20, ' ')] as const);
  for (const [name, body] of files) p.writeFile(`public${name}`, body);
  const big = 'b'.repeat(100);
  p.writeFile('public/big.txt', big);
  const port = await startHttpDaemon(p, { app: 'apps/app.mjs', count: 1, static: { fileCache: { maxEntries: 3, maxBytes: 64, maxFileBytes: 32 } } });
  for (let round = 0; round < 3; round++) {
    for (const [name, body] of files) {
      const r = await request(port, name);
      assertWhole(r, name);
      assert.equal(r.body, body, name);
      assert.equal(r.headers['content-type'], 'text/css; charset=utf-8');
    }
    assert.equal((await request(port, '/big.txt')).body, big, 'above maxFileBytes: from disk through send');
  }
  // A range is answered by send (from disk), a plain GET from memory: the same validators and type.
  const whole = await request(port, '/f1.css');
  const part = await request(port, '/f1.css', { headers: { range: 'bytes=0-3' } });
  assert.equal(part.status, 206);
  assert.equal(part.body, 'body');
  for (const h of ['etag', 'last-modified', 'content-type', 'accept-ranges', 'cache-control', 'vary']) assert.equal(whole.headers[h], part.headers[h], h);
  const notModified = await request(port, '/f1.css', { headers: { 'if-none-match': String(whole.headers.etag) } });
  assert.equal(notModified.status, 304);
  assert.equal(notModified.body, '');
  const head = await request(port, '/f1.css', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], String(Buffer.byteLength(files[1]![1])));
  assert.equal(head.body, '');
}));
