// The HTTP service in a worker: one server on the shared port, counters for `status`, and a
// drain that loses no request.
import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Socket } from 'node:net';
import type { HttpServiceConfig } from '../config/types.js';
import { PortInUseError } from '../errors.js';
import type { ConnectionInfo } from '../protocol/status.js';
import type { WorkerContext } from './context.js';
import { loadHttpApp, sendJson } from './http-app.js';
import type { RunningService } from './service.js';
import type { WorkerCounters } from './stats.js';

interface TrackedSocket {
  openedAt: number;
  requests: number;
}

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
  const sockets = new Map<Socket, TrackedSocket>();
  let draining = false;

  server.on('connection', (socket: Socket) => {
    sockets.set(socket, { openedAt: Date.now(), requests: 0 });
    counters.connections += 1;
    socket.once('close', () => {
      sockets.delete(socket);
      counters.connections -= 1;
    });
  });

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    counters.onRequest();
    counters.inflight += 1;
    const tracked = sockets.get(req.socket);
    if (tracked) tracked.requests += 1;
    // Once draining, every response closes its connection: the client moves to a live worker.
    if (draining) res.setHeader('connection', 'close');
    res.once('close', () => (counters.inflight -= 1));
    serve(listener, req, res, worker);
  });

  await listen(server, config);

  return {
    connections: (): ConnectionInfo[] =>
      [...sockets].map(([socket, t]) => ({
        remoteAddress: socket.remoteAddress ?? '',
        remotePort: socket.remotePort ?? 0,
        ageMs: Date.now() - t.openedAt,
        requests: t.requests,
      })),

    async stop(graceful: boolean): Promise<void> {
      draining = true;
      // Not server.close(): since Node 19 it also closes idle keep-alive sockets, including
      // ones whose next request is already on the wire, and that request fails. Stop
      // accepting only; busy connections close after their response (Connection: close),
      // idle ones at keepAliveTimeout.
      net.Server.prototype.close.call(server);
      if (!graceful) {
        server.closeAllConnections();
        return;
      }
      await new Promise<void>((resolve) => {
        if (sockets.size === 0) return resolve();
        const check = () => sockets.size === 0 && resolve();
        for (const socket of sockets.keys()) socket.once('close', () => setImmediate(check));
      });
    },
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
