// One small app per framework, each written the way that framework's users write it and
// exported the way they would export it, all with the same routes, and the checks every one of
// them must pass under drover (2 workers): routes, JSON bodies, a streamed upload and a
// streamed download, an error, and a rolling reload under load with no failed request.
import assert from 'node:assert/strict';
import { runCli, show } from './cli.js';
import { request } from './http.js';
import { startLoad } from './load.js';
import { freePort } from './ports.js';
import type { Project } from './project.js';
import { statusJson, workerPids } from './status.js';
import { waitFor } from './wait.js';

/** The streamed download: 16 chunks of 64 KiB, chunk i filled with the letter 'a' + i. */
export const STREAM_CHUNKS = 16;
const CHUNK = 64 * 1024;
const STREAM_BODY = `async function* chunks() { for (let i = 0; i < ${STREAM_CHUNKS}; i++) { yield Buffer.alloc(${CHUNK}, 97 + i); await new Promise((r) => setImmediate(r)); } }`;
const UPLOAD_BYTES = 3 * 1024 * 1024;

/** `closes`: the framework has a shutdown of its own (onClose, onApplicationShutdown), which writes closed-<pid>. */
export const FRAMEWORK_APPS: Record<string, { file: string; source: string; closes?: boolean }> = {
  express: {
    file: 'apps/express.mjs',
    source: `
import express from 'express';
import { Readable } from 'node:stream';
${STREAM_BODY}
const app = express();
app.use(express.json());
app.get('/hello', (req, res) => res.json({ app: 'express', pid: process.pid }));
app.post('/echo', (req, res) => res.status(201).json({ got: req.body }));
app.post('/upload', async (req, res) => { let bytes = 0; for await (const c of req) bytes += c.length; res.json({ bytes }); });
app.get('/stream', (req, res) => { res.type('text/plain'); Readable.from(chunks()).pipe(res); });
app.get('/boom', () => { throw new Error('boom on purpose'); });
app.use((err, req, res, next) => res.status(500).json({ error: err.message }));
export default app;
`,
  },
  koa: {
    file: 'apps/koa.mjs',
    source: `
import Koa from 'koa';
import { Readable } from 'node:stream';
${STREAM_BODY}
const app = new Koa();
app.silent = true;
async function readAll(req) { const parts = []; for await (const c of req) parts.push(c); return Buffer.concat(parts); }
app.use(async (ctx) => {
  if (ctx.path === '/hello') ctx.body = { app: 'koa', pid: process.pid };
  else if (ctx.path === '/echo' && ctx.method === 'POST') { ctx.status = 201; ctx.body = { got: JSON.parse((await readAll(ctx.req)).toString()) }; }
  else if (ctx.path === '/upload') ctx.body = { bytes: (await readAll(ctx.req)).length };
  else if (ctx.path === '/stream') { ctx.type = 'text/plain'; ctx.body = Readable.from(chunks()); }
  else if (ctx.path === '/boom') throw new Error('boom on purpose');
});
// The Koa app itself, not app.callback(): drover calls callback().
export default app;
`,
  },
  fastify: {
    file: 'apps/fastify.mjs',
    closes: true,
    source: `
import fs from 'node:fs';
import Fastify from 'fastify';
import { Readable } from 'node:stream';
${STREAM_BODY}
const app = Fastify({ logger: false });
app.addContentTypeParser('application/octet-stream', (req, payload, done) => done(null, payload));
app.get('/hello', async () => ({ app: 'fastify', pid: process.pid }));
app.post('/echo', async (req, reply) => { reply.code(201); return { got: req.body }; });
app.post('/upload', async (req) => { let bytes = 0; for await (const c of req.body) bytes += c.length; return { bytes }; });
app.get('/stream', (req, reply) => { reply.type('text/plain'); return reply.send(Readable.from(chunks())); });
app.get('/boom', async () => { throw new Error('boom on purpose'); });
app.addHook('onClose', async () => fs.writeFileSync('closed-' + process.pid, 'fastify'));
// The instance as it is: no listen(), no ready(); drover waits for ready() and routes through it.
export default app;
`,
  },
  nest: {
    file: 'apps/nest.mjs',
    closes: true,
    source: `
import 'reflect-metadata';
import fs from 'node:fs';
import { Controller, Get, Post, Module, Req, Res, HttpCode } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Readable } from 'node:stream';
${STREAM_BODY}
// Plain JavaScript, so the decorators are applied by hand (what TypeScript would emit).
class AppController {
  hello() { return { app: 'nest', pid: process.pid }; }
  echo(req) { return { got: req.body }; }
  async upload(req) { let bytes = 0; for await (const c of req) bytes += c.length; return { bytes }; }
  stream(res) { res.type('text/plain'); Readable.from(chunks()).pipe(res); }
  boom() { throw new Error('boom on purpose'); }
}
const route = (decorator, name, ...params) => {
  const descriptor = Object.getOwnPropertyDescriptor(AppController.prototype, name);
  decorator(AppController.prototype, name, descriptor);
  params.forEach((param, i) => param(AppController.prototype, name, i));
};
route(Get('hello'), 'hello');
route(Post('echo'), 'echo', Req());
HttpCode(201)(AppController.prototype, 'echo', Object.getOwnPropertyDescriptor(AppController.prototype, 'echo'));
route(Post('upload'), 'upload', Req());
HttpCode(200)(AppController.prototype, 'upload', Object.getOwnPropertyDescriptor(AppController.prototype, 'upload'));
route(Get('stream'), 'stream', Res());
route(Get('boom'), 'boom');
Controller()(AppController);
class AppModule { onApplicationShutdown() { fs.writeFileSync('closed-' + process.pid, 'nest'); } }
Module({ controllers: [AppController] })(AppModule);
// The Nest application itself (not listening): drover runs init() and serves its Express instance.
export default await NestFactory.create(AppModule, { logger: false, bodyParser: true });
`,
  },
  hono: {
    file: 'apps/hono.mjs',
    source: `
import { Hono } from 'hono';
${STREAM_BODY}
const app = new Hono();
app.get('/hello', (c) => c.json({ app: 'hono', pid: process.pid }));
app.post('/echo', async (c) => c.json({ got: await c.req.json() }, 201));
app.post('/upload', async (c) => { let bytes = 0; for await (const chunk of c.req.raw.body) bytes += chunk.length; return c.json({ bytes }); });
app.get('/stream', () => new Response(ReadableStream.from(chunks()), { headers: { 'content-type': 'text/plain' } }));
app.get('/boom', () => { throw new Error('boom on purpose'); });
app.onError((err, c) => c.json({ error: err.message }, 500));
export default app;
`,
  },
  fetch: {
    file: 'apps/fetch.mjs',
    source: `
${STREAM_BODY}
export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === '/hello') return Response.json({ app: 'fetch', pid: process.pid });
    if (pathname === '/echo') return Response.json({ got: await request.json() }, { status: 201 });
    if (pathname === '/upload') { let bytes = 0; for await (const chunk of request.body) bytes += chunk.length; return Response.json({ bytes }); }
    if (pathname === '/stream') return new Response(ReadableStream.from(chunks()), { headers: { 'content-type': 'text/plain' } });
    if (pathname === '/boom') throw new Error('boom on purpose');
    return new Response('not found', { status: 404 });
  },
};
`,
  },
};

/** Starts the framework's app with 2 workers and runs every check on it. */
export async function checkFramework(p: Project, name: string): Promise<void> {
  const { file, source, closes } = FRAMEWORK_APPS[name]!;
  const port = await freePort();
  p.writeFile(file, source);
  p.writeConfig('web', { listen: `http://127.0.0.1:${port}`, count: 2, app: file });
  const started = await runCli(p, ['web', 'start', '-d'], { timeoutMs: 60_000 });
  p.track(p.pidOf('web'));
  assert.equal(started.code, 0, show(started));
  const pids = workerPids(await statusJson(p, 'web'));

  const hello = await request(port, '/hello');
  assert.equal(hello.status, 200, hello.body);
  const body = JSON.parse(hello.body) as { app: string; pid: number };
  assert.equal(body.app, name);
  assert.ok(pids.includes(body.pid), `served by a drover worker (${body.pid} in ${pids.join(', ')})`);

  const echo = await request(port, '/echo', { method: 'POST', body: JSON.stringify({ a: [1, 'ü'] }), headers: { 'content-type': 'application/json' } });
  assert.equal(echo.status, 201, echo.body);
  assert.deepEqual(JSON.parse(echo.body), { got: { a: [1, 'ü'] } });

  const upload = await request(port, '/upload', { method: 'POST', body: 'u'.repeat(UPLOAD_BYTES), headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(upload.status, 200, upload.body);
  assert.deepEqual(JSON.parse(upload.body), { bytes: UPLOAD_BYTES });

  const stream = await request(port, '/stream');
  assert.equal(stream.status, 200);
  assert.equal(stream.body.length, STREAM_CHUNKS * CHUNK);
  for (let i = 0; i < STREAM_CHUNKS; i++) assert.equal(stream.body[i * CHUNK], String.fromCharCode(97 + i), `chunk ${i} in order`);

  const boom = await request(port, '/boom');
  assert.equal(boom.status, 500, boom.body);
  assert.deepEqual(workerPids(await statusJson(p, 'web')), pids, 'an error in a handler kills no worker');

  const load = startLoad(`http://127.0.0.1:${port}/hello`, { connections: 8, maxSeconds: 40 });
  let result;
  try {
    await load.responses(200);
    const reload = await runCli(p, ['web', 'reload'], { timeoutMs: 60_000 });
    assert.equal(reload.code, 0, show(reload));
    await load.responses(400);
  } finally {
    result = await load.stop();
  }
  assert.deepEqual(
    { errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx, resets: result.resets },
    { errors: 0, timeouts: 0, non2xx: 0, resets: 0 },
    `a reload under load failed requests (of ${result.requests}): ${JSON.stringify(result.errorKinds)}`,
  );
  const after = workerPids(await statusJson(p, 'web'));
  assert.equal(after.length, 2);
  assert.ok(after.every((pid) => !pids.includes(pid)), 'every worker was replaced');
  if (closes) {
    for (const pid of pids) await waitFor(`the framework's own shutdown in retired worker ${pid}`, () => p.exists(`closed-${pid}`));
  }
}
