// Decides what serves a request: the module named by `app` (a Node request listener, so
// Express and Koa's callback() work as they are, or an object with fetch), or, with no `app`,
// the convention router.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpServiceConfig } from '../config/types.js';
import { DroverError } from '../errors.js';
import type { ActionContext, WorkerContext } from './context.js';
import { fetchListener, sendWebResponse, type FetchHandler } from './fetch-adapter.js';
import { Router } from './router.js';
import { codeFileFor, requireUserModule } from './user-module.js';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => unknown;

const MAX_BODY = 1024 * 1024;

export async function loadHttpApp(config: HttpServiceConfig, worker: WorkerContext): Promise<RequestListener> {
  if (config.app === null) {
    const router = new Router(worker.codeRoot, worker.debug, (f) => codeFileFor(f, worker));
    await router.preload();
    return conventionListener(router, worker);
  }
  const exports = await requireUserModule(worker, config.app, 'the "app" module');
  const app = exports.default ?? exports.app ?? exports;
  if (typeof app === 'function') return app as RequestListener;
  if (app && typeof (app as { fetch?: unknown }).fetch === 'function') {
    const target = app as { fetch: FetchHandler };
    return fetchListener((request) => target.fetch(request));
  }
  throw new DroverError('DROVER_ERR_APP_LOAD', `the "app" module ${config.app} exports neither a request listener (req, res) nor an object with fetch(request).`, {
    hint: 'export default an Express app, Koa\'s app.callback(), a (req, res) function, or { fetch }.',
  });
}

function conventionListener(router: Router, worker: WorkerContext): RequestListener {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = await router.resolve(url.pathname);
    if (!route.ok) return sendJson(res, route.status, { error: { status: route.status, message: route.message } });
    const context = actionContext(req, res, url, route.target, worker);
    const result = await route.invoke(context);
    await sendResult(res, result);
  };
}

function actionContext(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  target: { module: string; controller: string; action: string },
  worker: WorkerContext,
): ActionContext {
  let body: Promise<Buffer> | null = null;
  const readBody = () => (body ??= readLimited(req, MAX_BODY));
  return {
    req,
    res,
    ...target,
    query: url.searchParams,
    body: readBody,
    json: async <T>() => JSON.parse((await readBody()).toString('utf8')) as T,
    worker,
  };
}

/** What an action returns becomes the response: text, JSON, a web Response, or nothing. */
async function sendResult(res: ServerResponse, result: unknown): Promise<void> {
  if (res.headersSent || res.writableEnded) return;
  if (result instanceof Response) return sendWebResponse(res, result);
  if (result === undefined || result === null) {
    res.statusCode = 204;
    return void res.end();
  }
  if (typeof result === 'string') {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    return void res.end(result);
  }
  if (Buffer.isBuffer(result)) {
    res.setHeader('content-type', 'application/octet-stream');
    return void res.end(result);
  }
  sendJson(res, 200, result);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw Object.assign(new Error(`request body larger than ${limit} bytes`), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
