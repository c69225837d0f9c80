// Source files that scenarios add to a test project (controllers, hooks, apps, handlers).
// Each is a string so that a project holds exactly what its test needs.

/** /worker/Slow/hold?id=X: writes held-X, answers once release-X exists (a controllable in-flight request). */
export const SLOW_CONTROLLER = `
import fs from 'node:fs';
import path from 'node:path';

export default class Slow {
  async hold(ctx) {
    const id = ctx.query.get('id') ?? 'x';
    fs.writeFileSync(path.join(ctx.worker.root, 'held-' + id), String(process.pid));
    while (!fs.existsSync(path.join(ctx.worker.root, 'release-' + id))) await new Promise((r) => setTimeout(r, 20));
    return { released: id, pid: process.pid };
  }
}
`;

/** /worker/Busy/spin: writes spinning-<pid>, then blocks its event loop forever. */
export const BUSY_CONTROLLER = `
import fs from 'node:fs';
import path from 'node:path';

export default class Busy {
  spin(ctx) {
    fs.writeFileSync(path.join(ctx.worker.root, 'spinning-' + process.pid), '');
    for (;;) {}
  }
}
`;

/**
 * A module core file whose onWorkerStart throws while the file \`boom-marker\` exists in the
 * project root, and records every attempt (one line per pid) in \`boot-attempts\`.
 */
export const BOOM_MODULE = `
import fs from 'node:fs';
import path from 'node:path';

export function onWorkerStart(ctx) {
  if (!fs.existsSync(path.join(ctx.root, 'boom-marker'))) return;
  fs.appendFileSync(path.join(ctx.root, 'boot-attempts'), process.pid + '\\n');
  throw new Error('boom: the marker file exists');
}
`;

/** A controller that inherits an action from a base class (which must not route). */
export const BASE_CONTROLLER = `
export default class Base {
  inherited() {
    return 'inherited action reached';
  }
}
`;

export const DERIVED_CONTROLLER = `
import Base from './Base.ts';

export default class Derived extends Base {
  own() {
    return { own: true };
  }

  static staticMethod() {
    return 'static method reached';
  }

  get getter() {
    return 'getter reached';
  }
}
`;

export const EXPRESS_APP = `
import express from 'express';

const app = express();
app.use(express.text({ type: '*/*' }));
app.get('/hello', (req, res) => res.set('x-app', 'express').json({ app: 'express', pid: process.pid, q: req.query.q ?? null }));
app.post('/echo', (req, res) => res.status(201).type('text/plain').send('express:' + req.body));
export default app;
`;

export const KOA_APP = `
import Koa from 'koa';

const app = new Koa();
app.use(async (ctx) => {
  if (ctx.path === '/hello') {
    ctx.set('x-app', 'koa');
    ctx.body = { app: 'koa', pid: process.pid };
    return;
  }
  if (ctx.path === '/echo' && ctx.method === 'POST') {
    let body = '';
    for await (const chunk of ctx.req) body += chunk;
    ctx.status = 201;
    ctx.type = 'text/plain';
    ctx.body = 'koa:' + body;
    return;
  }
  ctx.status = 404;
});
export default app.callback();
`;

export const FETCH_APP = `
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/hello') {
      const headers = new Headers({ 'content-type': 'application/json', 'x-app': 'fetch' });
      headers.append('set-cookie', 'a=1; Path=/');
      headers.append('set-cookie', 'b=2; Path=/');
      return new Response(JSON.stringify({ app: 'fetch', method: request.method, q: url.searchParams.get('q') }), { status: 200, headers });
    }
    if (url.pathname === '/echo' && request.method === 'POST') {
      const text = await request.text();
      return new Response('fetch:' + text, { status: 201, statusText: 'Created Here', headers: { 'content-type': 'text/plain', 'x-len': String(text.length) } });
    }
    return new Response('not found', { status: 404 });
  },
};
`;

/** A custom service handler: each worker writes started-<pid> and, on stop, stopped-<pid>. */
export const TICKER_HANDLER = `
import fs from 'node:fs';
import path from 'node:path';

let timer = null;

export function onWorkerStart(ctx) {
  fs.mkdirSync(path.join(ctx.root, 'ticks'), { recursive: true });
  fs.writeFileSync(path.join(ctx.root, 'ticks', 'started-' + process.pid), JSON.stringify(ctx));
  timer = setInterval(() => undefined, 1000);
}

export function onWorkerStop(ctx) {
  clearInterval(timer);
  fs.writeFileSync(path.join(ctx.root, 'ticks', 'stopped-' + process.pid), JSON.stringify(ctx));
}
`;
