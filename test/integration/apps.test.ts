// `app:` names a module whose default export is a Node request listener (an Express app,
// Koa's app.callback()) or an object with fetch(Request) → Response: each works unchanged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, show } from '../helpers/cli.js';
import { EXPRESS_APP, FETCH_APP, KOA_APP } from '../helpers/fixtures.js';
import { request } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import type { Project } from '../helpers/project.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson, workerPids } from '../helpers/status.js';

const TIMEOUT = { timeout: 90_000 };

async function startApp(p: Project, service: string, file: string, source: string): Promise<{ port: number; workers: number[] }> {
  const port = await freePort();
  p.writeFile(file, source);
  p.writeConfig(service, { listen: `http://127.0.0.1:${port}`, count: 1, app: file });
  const started = await runCli(p, [service, 'start', '-d']);
  p.track(p.pidOf(service));
  assert.equal(started.code, 0, show(started));
  return { port, workers: workerPids(await statusJson(p, service)) };
}

test('an Express app via app: serves GET (JSON, headers, query) and POST bodies', TIMEOUT, scenario(async (p) => {
  const { port, workers } = await startApp(p, 'express', 'apps/express-app.js', EXPRESS_APP);
  const hello = await request(port, '/hello?q=42');
  assert.equal(hello.status, 200, hello.body);
  assert.equal(hello.headers['x-app'], 'express');
  assert.match(hello.headers['content-type'] ?? '', /application\/json/);
  const body = JSON.parse(hello.body);
  assert.deepEqual({ app: body.app, q: body.q }, { app: 'express', q: '42' });
  assert.ok(workers.includes(body.pid), 'served by a drover worker');
  const echo = await request(port, '/echo', { method: 'POST', body: 'payload ✓', headers: { 'content-type': 'text/plain' } });
  assert.equal(echo.status, 201, echo.body);
  assert.equal(echo.body, 'express:payload ✓');
  const missing = await request(port, '/nope');
  assert.equal(missing.status, 404, 'Express answers its own 404');
}));

test('a Koa app.callback() via app: serves GET and POST bodies', TIMEOUT, scenario(async (p) => {
  const { port, workers } = await startApp(p, 'koa', 'apps/koa-app.mjs', KOA_APP);
  const hello = await request(port, '/hello');
  assert.equal(hello.status, 200, hello.body);
  assert.equal(hello.headers['x-app'], 'koa');
  const body = JSON.parse(hello.body);
  assert.equal(body.app, 'koa');
  assert.ok(workers.includes(body.pid), 'served by a drover worker');
  const echo = await request(port, '/echo', { method: 'POST', body: 'payload ✓' });
  assert.equal(echo.status, 201, echo.body);
  assert.equal(echo.body, 'koa:payload ✓');
  assert.equal((await request(port, '/nope')).status, 404);
}));

test('a { fetch } app via app: status, headers (several set-cookie), body, POST body echo', TIMEOUT, scenario(async (p) => {
  const { port } = await startApp(p, 'edge', 'apps/fetch-app.ts', FETCH_APP);
  const hello = await request(port, '/hello?q=x%20y');
  assert.equal(hello.status, 200, hello.body);
  assert.equal(hello.headers['x-app'], 'fetch');
  assert.equal(hello.headers['content-type'], 'application/json');
  assert.deepEqual(hello.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/']);
  assert.deepEqual(JSON.parse(hello.body), { app: 'fetch', method: 'GET', q: 'x y' });

  const payload = 'x'.repeat(100_000);
  const echo = await request(port, '/echo', { method: 'POST', body: payload, headers: { 'content-type': 'text/plain' } });
  assert.equal(echo.status, 201);
  assert.equal(echo.statusMessage, 'Created Here');
  assert.equal(echo.headers['x-len'], String(payload.length));
  assert.equal(echo.body, `fetch:${payload}`);
  const missing = await request(port, '/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.body, 'not found');
}));
