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

//
// Per request this costs a few property writes and one 'close' listener, shared by every
// response (no closure, no once() wrapper, no clock read): the per-request bookkeeping was
// 3–4% of a hello-world worker's CPU with a closure per response (profiled; perf note). The
// open sockets are kept in an array with each record's index, not a Map: a Map keyed by a
// fresh object costs about 1.5 µs per connection (hashing), the array a few ns.

interface Tracked {
  owner: HttpConnections;
  socket: Socket;
  /** Where this record sits in HttpConnections.open (-1 once closed). */
  index: number;
  /** Responses on this socket that have not emitted 'close' yet. */
  pending: number;
  openedAt: number;
  requests: number;
  /** The response being written on this socket, if any (HTTP/1.1: one at a time). */
  response: http.ServerResponse | null;
  /** Kept up to date only while draining (from the start of the drain for idle sockets). */
  idleSince: number;
}

/** Where a socket and its responses keep their Tracked record. */
const kTracked = Symbol('drover.tracked');
type WithTracked<T> = T & { [kTracked]?: Tracked };

export class HttpConnections {
  private readonly open: Tracked[] = [];
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
    const tracked = (req.socket as WithTracked<Socket>)[kTracked] ?? this.track(req.socket);
    tracked.requests += 1;
    tracked.pending += 1;
    tracked.response = res;
    (res as WithTracked<http.ServerResponse>)[kTracked] = tracked;
    // Once draining, every response closes its connection: the client moves to a live worker.
    if (this.draining) res.setHeader('connection', 'close');
    res.on('close', responseOnClose);
  }

  /** A response ended or was cut off: one fewer in flight, its socket idle again. */
  responseClosed(res: http.ServerResponse, tracked: Tracked): void {
    // Its socket closed first and settled it already (see socketClosed).
    if (tracked.index < 0) return;
    tracked.pending -= 1;
    this.counters.inflight -= 1;
    if (tracked.response !== res) return;
    tracked.response = null;
    if (this.draining) tracked.idleSince = Date.now();
  }

  list(): ConnectionInfo[] {
    const now = Date.now();
    return this.open.map((t) => ({
      remoteAddress: t.socket.remoteAddress ?? '',
      remotePort: t.socket.remotePort ?? 0,
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
        if (this.open.length === 0) resolve();
      });
    } finally {
      clearInterval(sweep);
    }
  }

  /** Fast: every connection closes now. */
  closeNow(): void {
    this.stopAccepting();
    for (const t of [...this.open]) t.socket.destroy();
  }

  private stopAccepting(): void {
    if (this.draining) return;
    this.draining = true;
    net.Server.prototype.close.call(this.server);
    const now = Date.now();
    for (const t of this.open) {
      // Responses in flight whose headers are not out yet close their connection too.
      if (t.response && !t.response.headersSent) t.response.setHeader('connection', 'close');
      // Idle sockets get a whole keepAliveTimeout from now (node's own timer usually closes
      // them first); one that never sent a request counts from when it was opened.
      if (t.response === null) t.idleSince = t.requests === 0 ? t.openedAt : now;
    }
  }

  private closeLongIdle(): void {
    const now = Date.now();
    for (const t of [...this.open]) {
      if (t.response === null && now - t.idleSince >= this.keepAliveTimeout) t.socket.destroy();
    }
  }

  private serverOnConnection(socket: Socket): void {
    this.track(socket);
  }

  private track(socket: WithTracked<Socket>): Tracked {
    const now = Date.now();
    const tracked: Tracked = { owner: this, socket, index: this.open.length, pending: 0, openedAt: now, requests: 0, response: null, idleSince: now };
    socket[kTracked] = tracked;
    this.open.push(tracked);
    this.counters.connections += 1;
    socket.on('close', socketOnClose);
    return tracked;
  }

  socketClosed(tracked: Tracked): void {
    if (tracked.index < 0) return;
    // A pipelined response still queued behind another when the connection dies never gets a
    // socket, so it never emits 'close' (seen with a good request followed by a malformed one):
    // whatever has not closed by now is settled here, once; a response that emits 'close'
    // later (node's own socket 'close' listener may run after ours) finds its socket closed.
    this.counters.inflight -= tracked.pending;
    tracked.pending = 0;
    // Swap-remove: the last record takes this one's place.
    const last = this.open.pop()!;
    if (last !== tracked) {
      this.open[tracked.index] = last;
      last.index = tracked.index;
    }
    tracked.index = -1;
    this.counters.connections -= 1;
    if (this.open.length === 0) this.drained?.();
  }
}

// Listeners shared by every socket and response (`this` is the emitter).
function responseOnClose(this: WithTracked<http.ServerResponse>): void {
  const tracked = this[kTracked];
  if (tracked) tracked.owner.responseClosed(this, tracked);
}

function socketOnClose(this: WithTracked<Socket>): void {
  const tracked = this[kTracked];
  if (tracked) tracked.owner.socketClosed(tracked);
}
