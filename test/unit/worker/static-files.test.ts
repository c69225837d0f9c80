import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_STATIC_DENY } from '../../../src/config/validate.js';
import { denyMatcher } from '../../../src/worker/static-files.js';

test('denyMatcher: "*.ext" suffixes, "prefix*", "a*b" and exact names, case-insensitive', () => {
  const denied = denyMatcher(DEFAULT_STATIC_DENY);
  for (const name of ['server.ts', 'X.TS', 'a.mts', 'app.js.map', '.env', '.env.production', 'package.json', 'tsconfig.build.json', 'node_modules', 'yarn.lock']) {
    assert.equal(denied(name), true, name);
  }
  for (const name of ['app.js', 'index.html', 'style.css', 'ts', 'package.json5', 'tsconfig', 'env', 'my.env.txt']) {
    assert.equal(denied(name), false, name);
  }
  assert.equal(denyMatcher([])('server.ts'), false, 'an empty list denies nothing (dot-files are refused elsewhere)');
});
