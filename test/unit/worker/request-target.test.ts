import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientError } from '../../../src/worker/client-error.js';
import { hasBadHost, requestUrl } from '../../../src/worker/request-target.js';

const status = (fn: () => unknown) => {
  try {
    fn();
    return 'ok';
  } catch (error) {
    return error instanceof ClientError ? error.status : `threw ${(error as Error).name}`;
  }
};

test('requestUrl: origin-form targets that new URL(target, base) throws on are appended, never resolved', () => {
  for (const target of ['//', '///', '/\\', '//[', '//%', '//:99999', '/a?b=c#d']) {
    assert.equal(status(() => requestUrl(target, 'h:8', 'http')), 'ok', target);
    assert.equal(requestUrl(target, 'h:8', 'http').host, 'h:8', `${target} stays on our origin`);
  }
  assert.equal(requestUrl('//evil.example/x', 'h', 'http').pathname, '//evil.example/x');
});

test('requestUrl: absolute-form takes its own authority; userinfo, "*" and other forms are 400', () => {
  assert.equal(requestUrl('http://other.example/x', 'h', 'http').host, 'other.example');
  assert.equal(status(() => requestUrl('http://a@b/x', 'h', 'http')), 400);
  assert.equal(status(() => requestUrl('*', 'h', 'http')), 400);
  assert.equal(status(() => requestUrl('x', 'h', 'http')), 400);
  assert.equal(requestUrl('/', undefined, 'https').href, 'https://localhost/');
  assert.equal(requestUrl('/', '', 'http').host, 'localhost', 'an empty Host (allowed by RFC 9112) is ours');
});

test('requestUrl and hasBadHost: a Host that is not an authority is 400', () => {
  for (const host of ['a b', 'x@y', 'x/y', '[::1', 'h:99999999', 'h:port', 'a\\b']) {
    assert.equal(status(() => requestUrl('/', host, 'http')), 400, host);
    assert.equal(hasBadHost(['Host', host]), true, host);
  }
  for (const host of ['example.com', 'example.com:8080', '127.0.0.1:1', '[::1]:80', 'xn--bcher-kva.example', '']) {
    assert.equal(status(() => requestUrl('/', host, 'http')), 'ok', host);
    assert.equal(hasBadHost(['Host', host, 'Accept', '*/*']), false, host);
  }
  assert.equal(hasBadHost(['Host', 'a', 'host', 'a']), true, 'two Host headers');
  assert.equal(hasBadHost([]), false, 'none (Node refuses HTTP/1.1 without one itself)');
});

test('hasBadHost: the name in any case; the last valid value remembered never lets a bad one or a second Host through', () => {
  for (const name of ['HOST', 'hOsT', 'host']) assert.equal(hasBadHost([name, 'a b']), true, name);
  for (const name of ['Hosts', 'Hst', 'Ho\u0173t', 'H\u004fST']) assert.equal(hasBadHost([name, 'a b']), name.toLowerCase() === 'host', name);
  assert.equal(hasBadHost(['Host', 'example.com']), false);
  assert.equal(hasBadHost(['Host', 'example.com']), false, 'the same value again');
  assert.equal(hasBadHost(['Host', 'example.com', 'Host', 'example.com']), true, 'twice, though valid');
  assert.equal(hasBadHost(['Host', 'exa mple.com']), true);
  assert.equal(hasBadHost(['Host', 'example.com']), false, 'valid after an invalid one');
});
