// Convention routing (/module/Controller/action) reaches declared actions only: never
// `constructor`, `_private` names, `__proto__`, `..` (plain or encoded), inherited methods
// (Object.prototype's or a base class's), statics or getters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { BASE_CONTROLLER, DERIVED_CONTROLLER } from '../helpers/fixtures.js';
import { request } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson } from '../helpers/status.js';

const ALLOWED: Array<[string, RegExp]> = [
  ['/worker/HttpExamples/index', /"message":"hello from drover"/],
  ['/worker/HttpExamples', /"message":"hello from drover"/],
  ['/worker/HttpExamples/hello?name=%3Cb%3E', /<h1>Hello, &#60;b&#62;!<\/h1>/],
  ['/worker/Derived/own', /"own":true/],
];

const REFUSED = [
  '/worker/HttpExamples/constructor',
  '/worker/HttpExamples/_secret',
  '/worker/HttpExamples/%5Fsecret',
  '/worker/HttpExamples/__proto__',
  '/worker/HttpExamples/%5F%5Fproto%5F%5F',
  '/worker/__proto__/index',
  '/__proto__/HttpExamples/index',
  '/worker/HttpExamples/..',
  '/worker/HttpExamples/%2e%2e',
  '/worker/HttpExamples/%2E%2E/_secret',
  '/worker/controller/../HttpExamples/_secret',
  '/worker/..%2fworker%2fcontroller/HttpExamples',
  '/worker/HttpExamples/..%2f_secret',
  '/../../../etc/passwd',
  '/worker/%2e%2e/%2e%2e/etc/passwd',
  '/worker/HttpExamples/toString',
  '/worker/HttpExamples/hasOwnProperty',
  '/worker/HttpExamples/valueOf',
  '/worker/HttpExamples/__defineGetter__',
  '/worker/HttpExamples/isPrototypeOf',
  '/worker/HttpExamples/prototype',
  '/worker/Derived/inherited',
  '/worker/Derived/constructor',
  '/worker/Derived/staticMethod',
  '/worker/Derived/getter',
  '/worker/Derived/toString',
  '/worker/httpexamples/index',
  '/worker/HttpExamples/index/extra',
  '/worker/Missing/index',
  '/nomodule/HttpExamples/index',
  '/worker/Worker/onWorkerStart',
];

test('routing reaches declared actions only', { timeout: 90_000 }, scenario(async (p) => {
  const port = await freePort();
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 1 });
  p.writeFile('app/worker/controller/Base.ts', BASE_CONTROLLER);
  p.writeFile('app/worker/controller/Derived.ts', DERIVED_CONTROLLER);
  const started = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(started.code, 0, show(started));

  for (const [path, body] of ALLOWED) {
    const r = await request(port, path);
    assert.equal(r.status, 200, `${path} → ${r.status} ${r.body}`);
    assert.match(r.body, body, `${path} → ${r.body}`);
  }
  const echo = await request(port, '/worker/HttpExamples/echo', { method: 'POST', body: 'ping=1' });
  assert.equal(echo.status, 200, echo.body);
  assert.deepEqual(JSON.parse(echo.body), { method: 'POST', body: 'ping=1' });

  const tooBig = await request(port, '/worker/HttpExamples/echo', { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) });
  assert.equal(tooBig.status, 413, `a body over 1 MiB: ${tooBig.status} ${tooBig.body.slice(0, 200)}`);

  const wrong: string[] = [];
  for (const path of REFUSED) {
    const r = await request(port, path);
    if (r.status < 400 || r.status >= 500) wrong.push(`${path} → ${r.status} ${r.body.slice(0, 120)}`);
    assert.doesNotMatch(r.body, /never routed|inherited action reached|static method reached|getter reached/, `${path} reached user code: ${r.body}`);
  }
  assert.deepEqual(wrong, [], `forbidden paths must answer 4xx:\n${wrong.join('\n')}`);

  const status = await statusJson(p, 'web');
  assert.equal(status.state, 'running');
  assert.equal(status.workers[0]!.restarts, 0, 'no request crashed the worker');
  assert.deepEqual(status.exits, []);
  assert.equal(status.workers[0]!.requests, ALLOWED.length + 2 + REFUSED.length);
}));
