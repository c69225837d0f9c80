// Decides what serves a request: the module named by `app` (any kind app-kinds.ts accepts), or,
// with no `app`, the convention router, which answers like a web server: a path that names no
// module, controller and action is a 404, a malformed one a 400, and neither is logged.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpServiceConfig } from '../config/types.js';
import { serveExport, type RequestListener, type ServedApp } from './app-kinds.js';
import { ClientError } from './client-error.js';
import type { ActionContext, WorkerContext } from './context.js';
import { sendWebResponse } from './fetch-adapter.js';
import { requestPath } from './request-target.js';
import { Router } from './router.js';
import { codeFileFor, requireUserModule } from './user-module.js';

export type { RequestListener, ServedApp };

// RFC 3986 path characters (pchar and "/") and well-formed percent escapes: anything else in a
// path ("\", "[", a lone "%") is a malformed request, not a missing page.
const WELL_FORMED_PATH = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;

const MAX_BODY = 1024 * 1024;

export async function loadHttpApp(config: HttpServiceConfig, worker: WorkerContext): Promise<ServedApp> {
  if (config.app === null) {
    const router = new Router(worker.codeRoot, worker.debug, (f) => codeFileFor(f, worker));
    await router.preload();
    return { listener: conventionListener(router, worker), close: null };
  }
  const exports = await requireUserModule(worker, config.app, 'the "app" module');
  return serveExport(exports.default ?? exports.app ?? exports, config.app);
}

function conventionListener(router: Router, worker: WorkerContext): RequestListener {
  return async (req, res) => {
    // Checked on the raw target: the URL parser would quietly turn "/\\" into "//".
    if (!WELL_FORMED_PATH.test((req.url ?? '/').split('?', 1)[0]!)) throw new ClientError(400, 'malformed path');
    const url = requestPath(req.url);
    const route = await router.resolve(url.pathname);
    // The router's 400 means "not shaped like module/Controller/action" (WebSocket messages keep
    // it); over HTTP such a path, "/" or "/favicon.ico", is simply not there.
    if (!route.ok) return sendJson(res, 404, { error: { status: 404, message: route.message } });
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
    if (size > limit) throw new ClientError(413, `request body larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
