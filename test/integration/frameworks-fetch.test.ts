// The framework matrix, fetch side: Hono and a bare { fetch } object, checked the same way as
// the request-listener frameworks (test/helpers/framework-apps.ts); then what only a fetch app
// has: backpressure both ways through drover's adapter, and an export drover cannot use.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { checkFramework } from '../helpers/framework-apps.js';
import { freePort } from '../helpers/ports.js';
import { scenario } from '../helpers/scenario.js';

for (const name of ['hono', 'fetch']) {
  test(`${name}: routes, JSON bodies, streamed upload and download, errors, a reload under load with 0 failures`, { timeout: 90_000 }, scenario((p) => checkFramework(p, name), { app: false }));
}

test('an app module whose export drover cannot serve is refused at boot with the kinds it accepts, and no stack', { timeout: 60_000 }, scenario(async (p) => {
  p.writeFile('apps/wrong.mjs', 'export default { handler() {} };\n');
  p.writeConfig('web', { listen: `http://127.0.0.1:${await freePort()}`, count: 1, app: 'apps/wrong.mjs' });
  const r = await runCli(p, ['web', 'start', '-d']);
  p.track(p.pidOf('web'));
  assert.equal(r.code, 1, show(r));
  assert.match(r.stderr, /exports an object with handler, which drover cannot serve/);
  assert.match(r.stderr, /Fastify instance, a NestJS application, an object with fetch\(request\) \(Hono\)/);
  assert.doesNotMatch(r.stderr, /\bat toRequestListener/, 'no stack for a user\'s export');
}, { app: false }));
