// The HTTP service in a worker: one server on the shared port, its connections tracked for
// `status` and for a drain that loses no request (drain.ts).
import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import path from 'node:path';
import type { HttpServiceConfig } from '../config/types.js';
import { PortInUseError } from '../errors/index.js';
import type { WorkerContext } from './context.js';
import { HttpConnections } from './drain.js';
import { ClientError } from './client-error.js';
import { loadHttpApp, sendJson, type RequestListener } from './http-app.js';
import { hasBadHost } from './request-target.js';
import type { RunningService } from './service.js';
import { staticFiles, type StaticFiles } from './static-files.js';
import type { WorkerCounters } from './stats.js';

/**
 * How often Node looks for connections past headersTimeout / requestTimeout. Node's default is
 * 30 s whatever the timeouts, so a slowloris client with headersTimeout 5000 held its socket
 * 18.9 s (issue 9.8); a quarter of the shortest timeout enforces each within 25 % of its value.
 */
export function connectionsCheckingInterval(headersTimeout: number, requestTimeout: number): number {
  const timeouts = [headersTimeout, requestTimeout].filter((t) => t > 0);
  if (timeouts.length === 0) return 30_000;
  return Math.min(30_000, Math.max(250, Math.floor(Math.min(...timeouts) / 4)));
}

export async function startHttpService(config: HttpServiceConfig, worker: WorkerContext, counters: WorkerCounters): Promise<RunningService> {
  const statics = staticFiles(config.static, worker.root, config.source);
  const app = await loadHttpApp(config, worker);
  const listener = app.listener;
  const options: http.ServerOptions = {
    keepAliveTimeout: config.keepAliveTimeout,
    requestTimeout: config.requestTimeout,
    headersTimeout: config.headersTimeout,
    connectionsCheckingInterval: connectionsCheckingInterval(config.headersTimeout, config.requestTimeout),
    maxHeaderSize: config.maxHeaderSize,
  };
  const server = config.tls
    ? https.createServer({ ...options, cert: fs.readFileSync(path.resolve(worker.root, config.tls.cert)), key: fs.readFileSync(path.resolve(worker.root, config.tls.key)) })
    : http.createServer(options);
  const connections = new HttpConnections(server, counters, config.keepAliveTimeout, config.tls !== null);
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    connections.onRequest(req, res);
    if (hasBadHost(req.rawHeaders)) return sendClientError(res, new ClientError(400, 'bad Host header'));
    if (statics) void serveStaticFirst(statics, listener, req, res, worker);
    else serve(listener, req, res, worker);
  });

  await listen(server, config);

  return {
    connections: () => connections.list(),
    stop: async (graceful) => {
      statics?.close();
      if (graceful) await connections.drain();
      else connections.closeNow();
      await app.close?.().catch((error: unknown) =>
        process.stderr.write(`[${worker.service} worker ${worker.workerId}] the app's close() failed: ${(error as Error)?.stack ?? error}\n`),
      );
    },
  };
}

async function serveStaticFirst(statics: StaticFiles, listener: RequestListener, req: http.IncomingMessage, res: http.ServerResponse, worker: WorkerContext): Promise<void> {
  let served: boolean;
  try {
    served = await statics.serve(req, res);
  } catch (error) {
    return answerFailure(error, req, res, worker);
  }
  if (!served) serve(listener, req, res, worker);
}

/** Error codes of a client that went away mid-request: the request is over, nothing failed. */
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * Runs the app on one request. What it throws stays in that request: a ClientError is answered
 * with its status and logged nowhere; anything else is the app's bug, logged with its stack and
 * answered 500, and the worker keeps serving. A client that left is not a failure.
 */
function serve(listener: RequestListener, req: http.IncomingMessage, res: http.ServerResponse, worker: WorkerContext): void {
  const fail = (error: unknown) => answerFailure(error, req, res, worker);
  try {
    const result = listener(req, res);
    if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).catch(fail);
  } catch (error) {
    fail(error);
  }
}

function answerFailure(error: unknown, req: http.IncomingMessage, res: http.ServerResponse, worker: WorkerContext): void {
  if (error instanceof ClientError) return sendClientError(res, error);
  const code = (error as { code?: unknown })?.code;
  if (res.destroyed && typeof code === 'string' && CLIENT_GONE.has(code)) return;
  process.stderr.write(`[${worker.service} worker ${worker.workerId}] ${req.method} ${req.url} failed: ${(error as Error)?.stack ?? error}\n`);
  if (!res.headersSent) sendJson(res, 500, { error: { status: 500, message: 'internal server error' } });
  else res.destroy();
}

/** A client error closes the connection: what follows a malformed request cannot be trusted. */
function sendClientError(res: http.ServerResponse, error: ClientError): void {
  if (res.headersSent) return void res.destroy();
  res.setHeader('connection', 'close');
  sendJson(res, error.status, { error: { status: error.status, message: error.message } });
}

async function listen(server: http.Server, config: HttpServiceConfig): Promise<void> {
  const { host, port, url } = config.listen!;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(url) : error);
    });
    server.listen({ host, port }, () => resolve());
  });
}
