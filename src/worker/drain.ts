// Tracks an HTTP server's connections and drains them without losing a request.
//
// Not server.close(): since Node 19 it also closes idle keep-alive sockets, including ones
// whose next request is already on the wire, and that request fails (PM2 and a naive
// worker.disconnect() lose about one request per open connection this way). Instead:
// stop accepting (the listening handle only), answer every further request with
// `Connection: close`, and let idle connections go at keepAliveTimeout, as they would anyway.
// Node applies no timeout to a connection that never sent a request, so during a drain those
// are swept at keepAliveTimeout too. The master's stopTimeout is the hard deadline behind it.
import type http from 'node:http';
import net, { type Socket } from 'node:net';
import type { ConnectionInfo } from '../protocol/status.js';
import type { WorkerCounters } from './stats.js';

interface Tracked {
  openedAt: number;
  requests: number;
  /** The response being written on this socket, if any (HTTP/1.1: one at a time). */
  response: http.ServerResponse | null;
  idleSince: number;
}

export class HttpConnections {
  private readonly sockets = new Map<Socket, Tracked>();
  private draining = false;
  private drained: (() => void) | null = null;

  constructor(
    private readonly server: http.Server,
    private readonly counters: WorkerCounters,
    private readonly keepAliveTimeout: number,
    secure: boolean,
  ) {
    // Over TLS, requests arrive on the TLSSocket of 'secureConnection', not the raw socket.
    server.on(secure ? 'secureConnection' : 'connection', (socket: Socket) => this.serverOnConnection(socket));
  }

  /** Call first thing for every request. */
  onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.counters.onRequest();
    this.counters.inflight += 1;
    const tracked = this.sockets.get(req.socket);
    if (tracked) {
      tracked.requests += 1;
      tracked.response = res;
    }
    // Once draining, every response closes its connection: the client moves to a live worker.
    if (this.draining) res.setHeader('connection', 'close');
    // A pipelined response still queued behind another when the connection dies never gets a
    // socket, so it never emits 'close': the socket's own 'close' settles it (else `inflight`
    // stays up forever; seen with a good request followed by a malformed one).
    // Guarded: the socket's 'close' makes the response emit its own 'close' within the same emit,
    // whose listener array was copied before, so both can call settle.
    const socket = req.socket;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      res.off('close', settle);
      socket.off('close', settle);
      this.counters.inflight -= 1;
      if (tracked && tracked.response === res) {
        tracked.response = null;
        tracked.idleSince = Date.now();
      }
    };
    res.once('close', settle);
    socket.once('close', settle);
  }

  list(): ConnectionInfo[] {
    const now = Date.now();
    return [...this.sockets].map(([socket, t]) => ({
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      ageMs: now - t.openedAt,
      requests: t.requests,
    }));
  }

  /** Graceful: resolves when the last connection has closed, whenever it was opened. */
  async drain(): Promise<void> {
    this.stopAccepting();
    const sweep = setInterval(() => this.closeLongIdle(), Math.min(1000, this.keepAliveTimeout));
    try {
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        if (this.sockets.size === 0) resolve();
      });
    } finally {
      clearInterval(sweep);
    }
  }

  /** Fast: every connection closes now. */
  closeNow(): void {
    this.stopAccepting();
    for (const socket of this.sockets.keys()) socket.destroy();
  }

  private stopAccepting(): void {
    if (this.draining) return;
    this.draining = true;
    net.Server.prototype.close.call(this.server);
    // Responses in flight whose headers are not out yet close their connection too.
    for (const t of this.sockets.values()) {
      if (t.response && !t.response.headersSent) t.response.setHeader('connection', 'close');
    }
  }

  private closeLongIdle(): void {
    const now = Date.now();
    for (const [socket, t] of this.sockets) {
      if (t.response === null && now - t.idleSince >= this.keepAliveTimeout) socket.destroy();
    }
  }

  private serverOnConnection(socket: Socket): void {
    const now = Date.now();
    this.sockets.set(socket, { openedAt: now, requests: 0, response: null, idleSince: now });
    this.counters.connections += 1;
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.counters.connections -= 1;
      if (this.sockets.size === 0) this.drained?.();
    });
  }
}
