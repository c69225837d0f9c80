import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskRedisUrl, parseRedisUrl } from '../../../src/config/redis.ts';
import { validateServiceConfig } from '../../../src/config/validate.ts';
import { DroverError } from '../../../src/errors/index.ts';

const FILE = 'config/worker_ws.js';
const redisOf = (redis: unknown) => (validateServiceConfig('ws', FILE, { redis }) as { redis: unknown }).redis;

test('maskRedisUrl hides every character of a password, "@" and "/" in it included', () => {
  const cases: Array<[string, string]> = [
    ['redis://user:s3cret@host:6379', 'redis://user:***@host:6379'],
    ['redis://user:p@ss@host:6379', 'redis://user:***@host:6379'],
    ['redis://user:p@ss/w@rd@host', 'redis://user:***@host'],
    ['redis://:only-password@host', 'redis://:***@host'],
    ['redis://token@host', 'redis://***@host'],
    ['rediss://u:a:b:c@host', 'rediss://u:***@host'],
    ['redis://host:6379', 'redis://host:6379'],
  ];
  for (const [url, masked] of cases) assert.equal(maskRedisUrl(url), masked, url);
});

test('a bad URL is refused naming the key, never echoing any part of the password', () => {
  for (const [redis, secret] of [['http://user:s3cret@host', 's3cret'], ['redis://user:p@q9x@host:99999', 'q9x'], ['redis://u:x/y@z@host/abc', 'x/y@z']] as const) {
    assert.throws(() => redisOf(redis), (e: unknown) => {
      assert.ok(e instanceof DroverError);
      assert.match(e.message, /"redis" must be a URL/);
      assert.ok(!e.message.includes(secret), e.message);
      return true;
    });
  }
});

test('redis:// and rediss:// URLs: host, port, db, ACL user and password (decoded), prefix', () => {
  assert.deepEqual(parseRedisUrl('redis://127.0.0.1'), { tls: false, node: { host: '127.0.0.1', port: 6379 }, db: 0, username: null, password: null, prefix: 'drover' });
  assert.deepEqual(parseRedisUrl('rediss://app:p%40ss@[::1]:6380/2?prefix=chat'), { tls: true, node: { host: '::1', port: 6380 }, db: 2, username: 'app', password: 'p@ss', prefix: 'chat' });
  for (const bad of ['redis://', 'redis://h:0', 'redis://h/x', 'redis://h?other=1', 'redis://h?prefix=a b', 'redis://u:%zz@h']) assert.equal(parseRedisUrl(bad), null, bad);
  const config = redisOf('rediss://app:pw@h:6380') as Record<string, unknown>;
  assert.deepEqual(config.tls, { ca: null, rejectUnauthorized: true });
  assert.equal(config.display, 'rediss://h:6380');
  assert.equal(redisOf(null), null);
  assert.equal(redisOf(undefined), null);
});

test('the object form: a URL with a CA file, or sentinels with a master name', () => {
  assert.deepEqual((redisOf({ url: 'rediss://h:6380', tls: { ca: 'tls/ca.pem' } }) as Record<string, unknown>).tls, { ca: 'tls/ca.pem', rejectUnauthorized: true });
  const sentinel = redisOf({ sentinels: ['10.0.0.1:26379', '[::1]:26380'], name: 'mymaster', username: 'app', password: 'pw', sentinelPassword: 'spw', prefix: 'x' }) as Record<string, unknown>;
  assert.deepEqual(sentinel.target, { kind: 'sentinel', name: 'mymaster', sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '::1', port: 26380 }] });
  assert.deepEqual([sentinel.username, sentinel.password, sentinel.sentinelPassword, sentinel.prefix], ['app', 'pw', 'spw', 'x']);
  assert.equal(sentinel.display, 'sentinel mymaster@10.0.0.1:26379,[::1]:26380');
  const refused: Array<[unknown, RegExp]> = [
    [{ sentinels: [], name: 'm' }, /"redis.sentinels" must be a non-empty array/],
    [{ sentinels: ['h:1'] }, /"redis.name" must be/],
    [{ sentinels: ['h'], name: 'm' }, /"redis.sentinels\[0\]" must be a "host:port"/],
    [{ url: 'redis://h', sentinels: ['h:1'], name: 'm' }, /"redis.sentinels" must be absent/],
    [{ url: 'redis://h', tls: { ca: 'ca.pem' } }, /"redis.url" must be a rediss:\/\/ URL/],
    [{ url: 'redis://h', password: 'x' }, /"redis.password" must be given in "redis.url"/],
    [{ url: 'redis://h', sentinal: 1 }, /unknown key "redis.sentinal"/],
    [{ url: 'redis://h', sentinelPassword: 'x' }, /unknown key "redis.sentinelPassword"/],
  ];
  for (const [value, message] of refused) assert.throws(() => redisOf(value), (e: unknown) => e instanceof DroverError && message.test(e.message), JSON.stringify(value));
});
