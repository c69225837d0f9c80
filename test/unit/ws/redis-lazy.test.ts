// ioredis costs a gateway ~16 MiB of RSS (docs/websocket.md): it must be loaded only when
// "redis" is configured, i.e. only through the dynamic import in src/ws/redis-link.ts. A static
// import anywhere in src/ would load it in every process that imports that module.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';

test('ioredis is imported only as types, or dynamically by redis-link.ts', () => {
  const offenders: string[] = [];
  const dynamic: string[] = [];
  const walk = (dir: URL) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const url = new URL(`${entry.name}${entry.isDirectory() ? '/' : ''}`, dir);
      if (entry.isDirectory()) walk(url);
      else if (entry.name.endsWith('.ts')) {
        const text = fs.readFileSync(url, 'utf8');
        const name = url.pathname.slice(url.pathname.indexOf('/src/') + 1);
        for (const m of text.matchAll(/^import\s+(type\s+)?[^;]*from\s+'ioredis';/gm)) if (!m[1]) offenders.push(name);
        if (/import\('ioredis'\)/.test(text)) dynamic.push(name);
      }
    }
  };
  walk(new URL('../../../src/', import.meta.url));
  assert.deepEqual(offenders, [], 'static imports of ioredis');
  assert.deepEqual(dynamic, ['src/ws/redis-link.ts']);
});
