import assert from 'node:assert/strict';
import { test } from 'node:test';
import { originAllowed } from '../../../src/ws/origin.ts';

test('allowedOrigins: null allows all; no Origin header (not a browser) passes', () => {
  assert.equal(originAllowed('https://evil.example', null), true);
  assert.equal(originAllowed(undefined, ['https://good.example']), true);
});

test('allowedOrigins: exact origins, case and default ports normalised, wildcard subdomains, *', () => {
  const allowed = ['https://good.example', 'https://*.trusted.example', 'http://localhost:3000/'];
  assert.equal(originAllowed('https://good.example', allowed), true);
  assert.equal(originAllowed('HTTPS://Good.Example:443', allowed), true);
  assert.equal(originAllowed('http://good.example', allowed), false, 'the scheme counts');
  assert.equal(originAllowed('https://good.example:8443', allowed), false, 'so does the port');
  assert.equal(originAllowed('https://a.trusted.example', allowed), true);
  assert.equal(originAllowed('https://a.b.trusted.example', allowed), true);
  assert.equal(originAllowed('https://trusted.example', allowed), false, 'a wildcard needs a subdomain');
  assert.equal(originAllowed('https://eviltrusted.example', allowed), false);
  assert.equal(originAllowed('http://localhost:3000', allowed), true);
  assert.equal(originAllowed('null', allowed), false);
  assert.equal(originAllowed('https://anything', ['*']), true);
});
