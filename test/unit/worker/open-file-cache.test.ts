// The open-file cache on a real folder with a clock of the test's own: lookups answer from
// memory within the validity and look again after it; contents follow the file; both bounds hold.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { OpenFileCache, type Lookup } from '../../../src/worker/open-file-cache.js';

function folder(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drover-ofc-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A lookup of `name` in `dir` as static-files does it (without the checks), counting its calls. */
function looker(dir: string) {
  const calls: string[] = [];
  const look = (name: string) => async (): Promise<Lookup> => {
    calls.push(name);
    try {
      const real = fs.realpathSync(path.join(dir, name));
      const stat = fs.statSync(real);
      return { real, key: name, size: stat.size, mtime: stat.mtime, ino: stat.ino, etag: `${stat.size}-${stat.mtimeMs}`, lastModified: stat.mtime.toUTCString() };
    } catch {
      return null;
    }
  };
  return { calls, look };
}

const LIMITS = { validMs: 1000, maxEntries: 100, maxBytes: 1 << 20, maxFileBytes: 1024 };

test('within the validity a lookup and the contents come from memory; after it the disk is asked again', async (t) => {
  const dir = folder(t);
  fs.writeFileSync(path.join(dir, 'a.txt'), 'one');
  let now = 0;
  const cache = new OpenFileCache(LIMITS, () => now);
  const { calls, look } = looker(dir);
  assert.equal((await cache.contents('a.txt', look('a.txt')))?.body.toString(), 'one');
  fs.writeFileSync(path.join(dir, 'a.txt'), 'two!');
  now = 999;
  assert.equal((await cache.contents('a.txt', look('a.txt')))?.body.toString(), 'one', 'still valid: memory, no syscall');
  assert.equal(calls.length, 1);
  now = 1000;
  assert.equal((await cache.contents('a.txt', look('a.txt')))?.body.toString(), 'two!', 'expired: looked up again, changed, read again');
  assert.equal(calls.length, 2);
  now = 2000;
  const again = await cache.contents('a.txt', look('a.txt'));
  assert.equal(again?.body.toString(), 'two!', 'unchanged on disk: the same contents, valid for another period');
  fs.rmSync(path.join(dir, 'a.txt'));
  now = 3000;
  assert.equal(await cache.contents('a.txt', look('a.txt')), null, 'deleted: seen at the next look');
  assert.equal(await cache.lookup('a.txt', look('a.txt')), null);
  assert.deepEqual(cache.size, { entries: 1, bytes: 0 }, 'the entry of a missing file holds no contents');
});

test('contents read from a file that changed since its lookup are refused, not served under the old headers', async (t) => {
  const dir = folder(t);
  fs.writeFileSync(path.join(dir, 'a.txt'), 'one');
  const cache = new OpenFileCache(LIMITS, () => 0);
  const { look } = looker(dir);
  await cache.lookup('a.txt', look('a.txt'));
  fs.writeFileSync(path.join(dir, 'a.txt'), 'longer now');
  assert.equal(await cache.contents('a.txt', look('a.txt')), null);
  assert.equal(cache.size.bytes, 0);
});

test('a file whose checked real path became a symlink is not read (O_NOFOLLOW)', async (t) => {
  const dir = folder(t);
  const secret = path.join(folder(t), 'secret.txt');
  fs.writeFileSync(secret, 'SECRET');
  fs.writeFileSync(path.join(dir, 'a.txt'), 'SECRE');
  const cache = new OpenFileCache(LIMITS, () => 0);
  const { look } = looker(dir);
  const found = await cache.lookup('a.txt', look('a.txt'));
  assert.ok(found && found !== 'directory');
  fs.rmSync(path.join(dir, 'a.txt'));
  fs.symlinkSync(secret, path.join(dir, 'a.txt'));
  assert.equal(await cache.contents('a.txt', look('a.txt')), null);
});

test('bounds: at most maxEntries entries and maxBytes of contents, oldest out first; big files keep no contents', async (t) => {
  const dir = folder(t);
  for (let i = 0; i < 6; i++) fs.writeFileSync(path.join(dir, `f${i}.txt`), 'x'.repeat(100));
  fs.writeFileSync(path.join(dir, 'big.bin'), Buffer.alloc(2000));
  const cache = new OpenFileCache({ validMs: 60_000, maxEntries: 4, maxBytes: 250, maxFileBytes: 1024 }, () => 0);
  const { calls, look } = looker(dir);
  for (let i = 0; i < 6; i++) assert.equal((await cache.contents(`f${i}.txt`, look(`f${i}.txt`)))?.body.length, 100);
  assert.ok(cache.size.entries <= 4 && cache.size.bytes <= 250, JSON.stringify(cache.size));
  assert.deepEqual(cache.size, { entries: 2, bytes: 200 }, 'two bodies of 100 fit in 250');
  calls.length = 0;
  await cache.contents('f5.txt', look('f5.txt'));
  assert.deepEqual(calls, [], 'the newest stayed');
  await cache.contents('f0.txt', look('f0.txt'));
  assert.deepEqual(calls, ['f0.txt'], 'the oldest went first');
  assert.equal(await cache.contents('big.bin', look('big.bin')), null, 'above maxFileBytes: served from disk');
  const big = await cache.lookup('big.bin', look('big.bin'));
  assert.ok(big && big !== 'directory' && big.size === 2000, 'its lookup is still kept');
  assert.ok(cache.size.bytes <= 250);
  for (let i = 0; i < 50; i++) await cache.lookup(`missing${i}`, look(`missing${i}`));
  assert.ok(cache.size.entries <= 4, 'lookups of missing names are bounded like the rest');
});
