import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_STATIC_DENY } from '../../../src/config/validate.js';
import { denyMatcher, mayNameAFile } from '../../../src/worker/static-files.js';

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

test('mayNameAFile: a certain miss without a syscall; "maybe" for anything the full check must judge', () => {
  const names = new Set(['app.js', 'sub', 'a b', '100%.txt', 'index.html']);
  const held = { mayHold: (name: string) => names.has(name) };
  const maybe = ['/app.js', '/app.js?v=1', '//app.js', '/sub/x.css', '/sub', '/a%20b/c', '/100%25.txt', '/', '/?x=1', '//',
    '/sub%2findex.html', '/%E0%A4%A', '*', 'http://host/x'];
  for (const target of maybe) assert.equal(mayNameAFile(target, held, 'index.html'), true, target);
  const misses = ['/api/users', '/api?x=/app.js', '/App.js', '/app.jsx', '/ap', '/sub2/x', '/%61pp.jsx', '/..\\app.js', '/%2e%2e/secret.txt', '/worker/HttpExamples/index'];
  for (const target of misses) assert.equal(mayNameAFile(target, held, 'index.html'), false, target);
  assert.equal(mayNameAFile('/%61pp.js', held, 'index.html'), true, 'a percent-encoded name is decoded');
  assert.equal(mayNameAFile('/', held, null), false, 'index off: "/" is never a file');
  assert.equal(mayNameAFile('/', { mayHold: () => false }, 'index.html'), false, 'no index.html at the top: "/" goes to the app');
  assert.equal(mayNameAFile('/', held, 'sub/home.html'), true, 'an index given as a path is looked up by its first segment');
});
