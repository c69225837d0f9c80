import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { PublicNames } from '../../../src/worker/public-names.js';
import { waitFor } from '../../helpers/wait.js';

function tempFolder(t: { after(fn: () => unknown): void }): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'drover-public-names-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  return root;
}

test('PublicNames: the top-level names, kept current by the watch; a lost folder means "maybe"', async (t) => {
  const root = tempFolder(t);
  const dir = path.join(root, 'public');
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'a.txt'), 'a');
  const names = new PublicNames(dir);
  t.after(() => names.close());
  assert.equal(names.mayHold('a.txt'), true);
  assert.equal(names.mayHold('sub'), true);
  assert.equal(names.mayHold('b.txt'), false);
  assert.equal(names.mayHold('A.TXT'), false, 'names match exactly');
  assert.equal(names.mayHold('x.css'), false, 'nothing below the top level counts');

  fs.writeFileSync(path.join(dir, 'b.txt'), 'b');
  await waitFor('b.txt seen', () => names.mayHold('b.txt'), { timeoutMs: 10_000 });
  fs.rmSync(path.join(dir, 'a.txt'));
  await waitFor('a.txt gone', () => !names.mayHold('a.txt'), { timeoutMs: 10_000 });

  fs.rmSync(dir, { recursive: true });
  await waitFor('a deleted folder answers "maybe"', () => names.mayHold('anything'), { timeoutMs: 10_000 });
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'c.txt'), 'c');
  await waitFor('the folder watched again once it is back', () => names.mayHold('c.txt') && !names.mayHold('anything'), { timeoutMs: 10_000 });

  names.close();
  names.close();
  assert.equal(names.mayHold('anything'), true, 'closed: every name is left to the full check');
});

test('PublicNames: the watch does not keep the process alive', async () => {
  const script = `import { PublicNames } from ${JSON.stringify(new URL('../../../dist/worker/public-names.js', import.meta.url).href)};
new PublicNames(${JSON.stringify(os.tmpdir())});`;
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 5_000, encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stderr}${r.error ?? ''}`);
});
