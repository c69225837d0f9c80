// The codes in src/errors.ts and the table in docs/errors.md must list the same codes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { ERROR_CODES } from '../../src/errors.ts';

test('docs/errors.md documents exactly the codes of src/errors.ts', () => {
  const doc = fs.readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^\| `(DROVER_ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual([...documented].sort(), [...ERROR_CODES].sort());
});

test('every code used in src/ is declared', () => {
  const used = new Set<string>();
  const walk = (dir: URL) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const url = new URL(`${entry.name}${entry.isDirectory() ? '/' : ''}`, dir);
      if (entry.isDirectory()) walk(url);
      else for (const m of fs.readFileSync(url, 'utf8').matchAll(/'(DROVER_ERR_[A-Z_]+)'/g)) used.add(m[1]!);
    }
  };
  walk(new URL('../../src/', import.meta.url));
  for (const code of used) assert.ok((ERROR_CODES as readonly string[]).includes(code), `${code} is used but not declared`);
});
