// The HTTP service in a worker: one server on the shared port, its connections tracked for
// `status` and for a drain that loses no request (drain.ts).
import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import path from 'node:path';
import type { HttpServiceConfig } from '../config/types.js';
import { PortInUseError } from '../errors.js';
import type { WorkerContext } from './context.js';
import { HttpConnections } from './drain.js';
import { loadHttpApp, sendJson } from './http-app.js';
import type { RunningService } from './service.js';
import type { WorkerCounters } from './stats.js';

export async function startHttpService(config: HttpServiceConfig, worker: WorkerContext, counters: WorkerCounters): Promise<RunningService> {
  const listener = await loadHttpApp(config, worker);
  const options: http.ServerOptions = {
    keepAliveTimeout: config.keepAliveTimeout,
    requestTimeout: config.requestTimeout,
    headersTimeout: config.headersTimeout,
    maxHeaderSize: config.maxHeaderSize,
  };
  const server = config.tls
    ? https.createServer({ ...options, cert: fs.readFileSync(path.resolve(worker.root, config.tls.cert)), key: fs.readFileSync(path.resolve(worker.root, config.tls.key)) })
    : http.createServer(options);
  const connections = new HttpConnections(server, counters, config.keepAliveTimeout, config.tls !== null);
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    connections.onRequest(req, res);
    serve(listener, req, res, worker);
  });

  await listen(server, config);

  return {
    connections: () => connections.list(),
    stop: (graceful) => (graceful ? connections.drain() : Promise.resolve(connections.closeNow())),
  };
}

function serve(listener: (req: http.IncomingMessage, res: http.ServerResponse) => unknown, req: http.IncomingMessage, res: http.ServerResponse, worker: WorkerContext): void {
  const fail = (error: unknown) => {
    const status = (error as { status?: number })?.status === 413 ? 413 : 500;
    if (status === 500) process.stderr.write(`[${worker.service} worker ${worker.workerId}] ${req.method} ${req.url} failed: ${(error as Error)?.stack ?? error}\n`);
    if (!res.headersSent) sendJson(res, status, { error: { status, message: status === 413 ? 'request body too large' : 'internal server error' } });
    else res.destroy();
  };
  try {
    const result = listener(req, res);
    if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).catch(fail);
  } catch (error) {
    fail(error);
  }
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
