// A gateway worker: listens on the service's port (shared by the gateways through cluster)
// and on its own local socket for business workers and push clients. It runs no user code,
// so it never needs a reload: business workers come and go behind it while clients stay.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WsServiceConfig } from '../config/types.js';
import { PortInUseError } from '../errors/index.js';
import { listenLocalSocket } from '../local/socket.js';
import type { WorkerContext } from '../worker/context.js';
import type { RunningService } from '../worker/service.js';
import type { WorkerCounters } from '../worker/stats.js';
import { CLOSE_HANDSHAKE_MS } from './constants.js';
import { ClientSocket, Gateway } from './gateway.js';
import { captureHandshake } from './handshake.js';
import { originAllowed } from './origin.js';
import { gatewaySocketPath } from './paths.js';
import { Relay } from './relay.js';

/** What a released gateway keeps back from stopTimeout besides the closing handshake (its exit, the hooks). */
const RELEASE_MARGIN_MS = 500;

export async function startGateway(config: WsServiceConfig, worker: WorkerContext, counters: WorkerCounters): Promise<RunningService> {
  const log = (message: string) => process.stderr.write(`[${worker.service} gateway ${worker.workerId} pid ${process.pid}] ${message}\n`);
  const gateway = new Gateway({ slot: worker.workerId, heartbeat: config.heartbeat, maxBufferedAmount: config.maxBufferedAmount, counters, log });
  counters.wsStats = () => ({ clients: gateway.size, groups: gateway.groupCount, messagesIn: gateway.messagesIn, messagesOut: gateway.messagesOut });
  // Across hosts: never in the way of this host's pushes; Redis down is logged and retried.
  let relay: Relay | null = null;
  if (config.redis !== null) {
    relay = new Relay({
      redis: config.redis,
      root: worker.root,
      service: worker.service,
      slot: worker.workerId,
      apply: (op, args) => gateway.applyRemote(op, args),
      log,
    });
    gateway.remote = (op, args) => relay!.relay(op, args);
    await relay.start();
  }
  // Exclusive: in this process, not shared through the cluster master.
  const local = await listenLocalSocket(gatewaySocketPath(worker.root, worker.service, worker.workerId), 'gateway socket', (socket) => gateway.addPeer(socket));

  const server = config.tls
    ? https.createServer({ cert: fs.readFileSync(path.resolve(worker.root, config.tls.cert)), key: fs.readFileSync(path.resolve(worker.root, config.tls.key)) })
    : http.createServer();
  const wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    maxPayload: config.maxPayload,
    perMessageDeflate: false,
    closeTimeout: CLOSE_HANDSHAKE_MS,
    WebSocket: ClientSocket,
  } as ConstructorParameters<typeof WebSocketServer>[0]);
  let accepting = true;
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket', connection: 'Upgrade' });
    res.end('This is a WebSocket service: connect with a WebSocket client.\n');
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', ignore);
    if (!accepting) return void socket.destroy();
    if (!originAllowed(req.headers.origin, config.allowedOrigins)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 19\r\n\r\norigin not allowed\n');
      return;
    }
    const handshake = captureHandshake(req);
    if (handshake === null) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 24\r\n\r\nbad request-target path\n');
      return;
    }
    (socket as net.Socket).setNoDelay?.(true);
    wss.handleUpgrade(req, socket, head, (ws) => gateway.accept(ws as ClientSocket, handshake, socket as net.Socket));
  });
  await listenPublic(server, config);

  const tick = Math.max(20, Math.min(1000, Math.floor(Math.min(config.heartbeat.interval, config.heartbeat.timeout) / 4)));
  const sweeper = setInterval(() => gateway.sweep(Date.now()), tick);

  let stopped: Promise<void> | null = null;
  return {
    connections: () => gateway.list(),
    stop: (graceful, options) =>
      (stopped ??= (async () => {
        const startedAt = Date.now();
        accepting = false;
        // The listening handle only: open connections are closed one by one below.
        net.Server.prototype.close.call(server);
        if (graceful && options?.scaledAway) {
          // Closes go out early enough for their handshakes to end before the master's SIGKILL at stopTimeout.
          await gateway.release(config.closeSpreadMs, startedAt + Math.max(0, config.stopTimeout - CLOSE_HANDSHAKE_MS - RELEASE_MARGIN_MS));
        } else await gateway.closeAll(graceful ? config.closeSpreadMs : 0);
        clearInterval(sweeper);
        local.close();
        relay?.close();
        gateway.closePeers();
      })()),
  };
}

async function listenPublic(server: http.Server, config: WsServiceConfig): Promise<void> {
  const { host, port, url } = config.listen!;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUseError(url) : error));
    server.listen({ host, port }, () => resolve());
  });
}

function ignore(): void {}
