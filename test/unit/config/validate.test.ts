import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateServiceConfig } from '../../../src/config/validate.ts';
import { DroverError } from '../../../src/errors/index.ts';

const FILE = 'config/worker_http.js';

function refused(raw: unknown, pattern: RegExp, service = 'http'): void {
  assert.throws(
    () => validateServiceConfig(service, FILE, raw),
    (e: unknown) => {
      assert.ok(e instanceof DroverError);
      assert.equal(e.code, 'DROVER_ERR_CONFIG');
      assert.ok(e.message.startsWith(`${FILE}: `), e.message);
      assert.match(e.message, pattern);
      return true;
    },
  );
}

test('defaults: http on 0.0.0.0:8000 with 2 workers, ws on 2828', () => {
  const http = validateServiceConfig('http', FILE, {});
  assert.equal(http.kind, 'http');
  assert.deepEqual({ host: http.listen?.host, port: http.listen?.port }, { host: '0.0.0.0', port: 8000 });
  assert.equal(http.count, 2);
  assert.equal(http.app, null);
  const ws = validateServiceConfig('ws', 'config/worker_ws.js', {});
  assert.equal(ws.kind, 'ws');
  assert.equal(ws.listen?.port, 2828);
});

test('the result is frozen, nested objects too', () => {
  const c = validateServiceConfig('http', FILE, { env: { A: '1' } });
  assert.ok(Object.isFrozen(c));
  assert.ok(Object.isFrozen(c.env));
  assert.ok(Object.isFrozen(c.backoff));
});

test('count accepts "auto" as the number of CPUs', () => {
  const c = validateServiceConfig('http', FILE, { count: 'auto' });
  assert.ok(c.count >= 1);
});

test('errors name the key, the rule and the received value', () => {
  refused({ count: 0 }, /"count" must be an integer >= 1 or "auto" \(received 0\)/);
  refused({ count: 'many' }, /"count" .*\(received "many"\)/);
  refused({ stopTimeout: -1 }, /"stopTimeout" must be an integer from 0 to 2147483647 \(ms; [^)]*\) \(received -1\)/);
  refused({ listen: 'nope' }, /"listen" must be a URL .*\(received "nope"\)/);
  refused({ listen: 'ftp://0.0.0.0:21' }, /"listen"/);
  refused({ listen: 'http://0.0.0.0' }, /"listen"/);
  refused({ reloadable: 'yes' }, /"reloadable" must be true or false/);
  refused({ env: { A: 1 } }, /"env.A" must be a string \(received 1\)/);
  refused({ backoff: { initialMs: 0 } }, /"backoff.initialMs" must be an integer from 1 to /);
  refused([], /must export an object \(received an array of 0\)/);
});

test('an unknown key is refused with the nearest known key', () => {
  refused({ cout: 2 }, /unknown key "cout" \(did you mean "count"\?\)/);
  refused({ totallyNew: 1 }, /unknown key "totallyNew"\.$/);
  refused({ backoff: { intialMs: 5 } }, /unknown key "backoff.intialMs" \(did you mean "backoff.initialMs"\?\)/);
});

test('a service without listen is a custom service and needs a handler', () => {
  const c = validateServiceConfig('ticker', 'config/worker_ticker.json', { handler: 'app/ticker.ts', count: 3 });
  assert.equal(c.kind, 'custom');
  assert.equal(c.count, 3);
  refused({}, /"handler" must be a module path/, 'ticker');
});

test('https needs tls.cert and tls.key', () => {
  refused({ listen: 'https://0.0.0.0:8443' }, /"tls" must be an object \{ cert, key \}/);
  const c = validateServiceConfig('http', FILE, { listen: 'https://0.0.0.0:8443', tls: { cert: 'a.pem', key: 'b.pem' } });
  assert.deepEqual(c.tls, { cert: 'a.pem', key: 'b.pem' });
});

test('IPv6 hosts lose their brackets for listen()', () => {
  const c = validateServiceConfig('http', FILE, { listen: 'http://[::1]:8080' });
  assert.equal(c.listen?.host, '::1');
});

test('a bad redis URL is refused without echoing its password', () => {
  assert.throws(
    () => validateServiceConfig('ws', 'config/worker_ws.js', { redis: 'http://user:s3cret@host:6379' }),
    (e: unknown) => e instanceof DroverError && /"redis" must be a URL/.test(e.message) && !e.message.includes('s3cret') && e.message.includes('user:***@'),
  );
});

test('metrics: off by default; a port alone is on 127.0.0.1; host:port and [v6]:port; bad values refused', () => {
  assert.equal(validateServiceConfig('http', FILE, {}).metrics, null);
  assert.deepEqual(validateServiceConfig('http', FILE, { metrics: { listen: 9100 } }).metrics, { host: '127.0.0.1', port: 9100, historySeconds: 600 });
  assert.deepEqual(validateServiceConfig('http', FILE, { metrics: { listen: '9100' } }).metrics?.host, '127.0.0.1');
  assert.deepEqual(validateServiceConfig('http', FILE, { metrics: { listen: '0.0.0.0:9100', historySeconds: 60 } }).metrics, { host: '0.0.0.0', port: 9100, historySeconds: 60 });
  assert.deepEqual(validateServiceConfig('http', FILE, { metrics: { listen: '[::1]:9100' } }).metrics, { host: '::1', port: 9100, historySeconds: 600 });
  refused({ metrics: {} }, /"metrics\.listen" must be a port/);
  refused({ metrics: { listen: 'http://x:1' } }, /"metrics\.listen"/);
  refused({ metrics: { listen: '127.0.0.1:70000' } }, /"metrics\.listen"/);
  refused({ metrics: { listen: 9100, histry: 5 } }, /histry/);
  refused({ metrics: { listen: 9100, historySeconds: 5 } }, /historySeconds/);
});

test('every timer-ish key is bounded by what a Node timer holds (2^31-1 ms)', () => {
  const max = 2 ** 31 - 1;
  const cases: Array<[string, object, string]> = [
    ['http', { readyTimeout: max + 1 }, 'readyTimeout'],
    ['http', { stopTimeout: max + 1 }, 'stopTimeout'],
    ['http', { hungTimeout: 1e12 }, 'hungTimeout'],
    ['http', { keepAliveTimeout: max + 1 }, 'keepAliveTimeout'],
    ['http', { headersTimeout: max + 1 }, 'headersTimeout'],
    ['http', { requestTimeout: max + 1 }, 'requestTimeout'],
    ['http', { backoff: { initialMs: max + 1 } }, 'backoff.initialMs'],
    ['http', { backoff: { maxMs: max + 1 } }, 'backoff.maxMs'],
    ['http', { backoff: { resetAfterMs: max + 1 } }, 'backoff.resetAfterMs'],
    ['ws', { heartbeat: { interval: max + 1 } }, 'heartbeat.interval'],
    ['ws', { heartbeat: { timeout: max + 1 } }, 'heartbeat.timeout'],
    ['ws', { closeSpreadMs: max + 1 }, 'closeSpreadMs'],
  ];
  for (const [service, raw, key] of cases) {
    const file = `config/worker_${service}.js`;
    assert.throws(
      () => validateServiceConfig(service, file, raw),
      (e: unknown) => {
        assert.ok(e instanceof DroverError);
        assert.equal(e.code, 'DROVER_ERR_CONFIG');
        // file, key, rule, value
        assert.ok(e.message.startsWith(`${file}: "${key}" must be an integer from `), e.message);
        assert.match(e.message, new RegExp(`to ${max} \\(ms`), e.message);
        assert.match(e.message, /\(received \d+\)\.$/, e.message);
        return true;
      },
      `${key} above the bound`,
    );
  }
  const atMax = validateServiceConfig('http', FILE, { stopTimeout: max, readyTimeout: max, backoff: { maxMs: max } });
  assert.equal(atMax.stopTimeout, max, '2^31-1 itself is accepted');
});

test('the hot-reload debounce is bounded too', async () => {
  const { validateProcessConfig } = await import('../../../src/config/process-config.ts');
  assert.throws(() => validateProcessConfig('config/worker_process.js', { hotReload: { debounceMs: 2 ** 31 } }), /"hotReload\.debounceMs" must be an integer from 0 to 2147483647/);
});

test('static files: "public" when it exists by default, publicDir false turns them off, static options validated', () => {
  const byDefault = validateServiceConfig('http', FILE, {});
  assert.ok(byDefault.kind === 'http' && byDefault.static);
  const fileCache = { validMs: 1000, maxEntries: 1000, maxBytes: 8 * 1024 * 1024, maxFileBytes: 64 * 1024 };
  assert.deepEqual({ ...byDefault.static, deny: undefined }, { dir: 'public', required: false, deny: undefined, cacheControl: 'public, max-age=0', index: 'index.html', precompressed: true, fileCache });
  assert.ok(byDefault.static.deny.includes('*.ts') && byDefault.static.deny.includes('.env*'));
  const off = validateServiceConfig('http', FILE, { publicDir: false, static: { index: false } });
  assert.equal(off.kind === 'http' && off.static, null);
  const set = validateServiceConfig('http', FILE, { publicDir: 'assets', static: { index: false, deny: ['*.txt'], cacheControl: 'no-store', precompressed: false } });
  assert.deepEqual(set.kind === 'http' && set.static, { dir: 'assets', required: true, deny: ['*.txt'], cacheControl: 'no-store', index: null, precompressed: false, fileCache });
  const cacheOff = validateServiceConfig('http', FILE, { static: { fileCache: false } });
  assert.equal(cacheOff.kind === 'http' && cacheOff.static?.fileCache, null);
  const zero = validateServiceConfig('http', FILE, { static: { fileCache: { validMs: 0 } } });
  assert.equal(zero.kind === 'http' && zero.static?.fileCache, null, 'validMs 0 turns the cache off');
  const small = validateServiceConfig('http', FILE, { static: { fileCache: { validMs: 200, maxEntries: 10, maxBytes: 4096, maxFileBytes: 1024 } } });
  assert.deepEqual(small.kind === 'http' && small.static?.fileCache, { validMs: 200, maxEntries: 10, maxBytes: 4096, maxFileBytes: 1024 });
  refused({ static: { fileCache: true } }, /"static.fileCache" must be an object/);
  refused({ static: { fileCache: { maxEntries: 0 } } }, /"static.fileCache.maxEntries" must be an integer >= 1/);
  refused({ static: { fileCache: { valid: 5 } } }, /static\.fileCache/);
  refused({ publicDir: true }, /"publicDir" must be a non-empty string or false \(received true\)/);
  refused({ static: { index: 3 } }, /"static.index" must be a non-empty string or false/);
  refused({ static: { deny: '*.ts' } }, /"static.deny" must be an array of strings/);
  refused({ static: { cachecontrol: 'x' } }, /unknown key "static.cachecontrol" \(did you mean "static.cacheControl"\?\)/);
});
