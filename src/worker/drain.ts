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
// Per request this costs one counter and one property write on our own record: no listener on
// the response, no property added to it, no clock read. Whether a socket has a response in
// progress is read from node's own record of it when asked (status, a drain), not kept per
// request: with a 'close' listener and a tag on every response, a hello-world keep-alive
// request cost about 5,000 more instructions in a drover worker than in a bare one (valgrind,
// main thread, ~82k vs ~77k; notes of issue 14).
//
// Per connection it costs a record and a clock read, and no 'close' listener either: node's
// http server has one on every socket already, and a second one makes the socket's listener
// list an array that every close emit copies. Closed sockets are instead dropped from the list
// in batches (compact()), and only a drain, which must know the moment the last one closes,
// listens for 'close' on the sockets it waits for. Measured (valgrind, a new connection per
// request, main threads, notes of issue 14): with the listener 182.9k-187.8k instructions per
// connection, without it 184.4k-184.7k, a bare worker 178.1k-181.3k; runs vary by about 3k, so
// the saving (about 1k) is within that, and what is left over bare is not all this record.
// The records are kept in an array, not a Map: a Map (or a WeakMap) keyed by a fresh object
// costs about 1.5 µs per connection (hashing), the array a few ns.

interface Tracked {
  socket: HttpSocket;
  openedAt: number;
  requests: number;
  /** Kept up to date only while draining, by the sweep (see closeLongIdle). */
  idleSince: number;
  /** `requests` when the sweep last saw this socket idle: a change means it was used since. */
  requestsAtIdle: number;
}

/**
 * node's http server keeps the response being written on a socket in `_httpMessage` (set when
 * the response takes the socket, cleared when it has finished; a pipelined response waits
 * behind it). Not a documented property, but the one every graceful-shutdown library reads
 * (http-terminator, stoppable); test/unit/worker/drain.test.ts fails if a Node release changes it.
 */
type HttpSocket = Socket & { _httpMessage?: http.ServerResponse | null };

const responseOf = (t: Tracked): http.ServerResponse | null => t.socket._httpMessage ?? null;

/** Where a socket keeps its Tracked record. */
const kTracked = Symbol('drover.tracked');
type WithTracked<T> = T & { [kTracked]?: Tracked };

/**
 * Closed sockets the list may hold before compact() drops them: this many, or a quarter of the
 * open ones if more. Each compaction walks the list once, so that is a few steps per
 * connection, and a closed socket is held at most that many connections longer.
 */
const COMPACT_BATCH = 64;

export class HttpConnections {
  /** Every socket seen; closed ones (socket.destroyed) too, until the next compact(). */
  private readonly open: Tracked[] = [];
  /** compact() runs when the list reaches this length. */
  private compactAt = COMPACT_BATCH;
  private draining = false;
  /** While draining: the sockets whose 'close' the drain waits for. It ends at 0. */
  private closing = 0;
  private drained: (() => void) | null = null;

  constructor(
    private readonly server: http.Server,
    private readonly counters: WorkerCounters,
    private readonly keepAliveTimeout: number,
    secure: boolean,
  ) {
    counters.httpInflight = () => this.inflight();
    counters.httpConnections = () => this.count();
    // Over TLS, requests arrive on the TLSSocket of 'secureConnection', not the raw socket.
    server.on(secure ? 'secureConnection' : 'connection', (socket: Socket) => this.serverOnConnection(socket));
  }

  /** Call first thing for every request. */
  onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.counters.onRequest();
    const tracked = (req.socket as WithTracked<Socket>)[kTracked] ?? this.track(req.socket);
    tracked.requests += 1;
    // Once draining, every response closes its connection: the client moves to a live worker.
    if (this.draining) res.setHeader('connection', 'close');
  }

  /** Connections with a response in progress (a pipelined request queued behind it is not counted again). */
  inflight(): number {
    let n = 0;
    for (const t of this.open) if (responseOf(t) !== null && !t.socket.destroyed) n += 1;
    return n;
  }

  /** Open connections. */
  count(): number {
    this.compact();
    return this.open.length;
  }

  list(): ConnectionInfo[] {
    this.compact();
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
        if (this.closing === 0) resolve();
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
    this.compact();
    const now = Date.now();
    for (const t of this.open) {
      this.waitForClose(t.socket);
      // Responses in flight whose headers are not out yet close their connection too.
      const response = responseOf(t);
      if (response && !response.headersSent) response.setHeader('connection', 'close');
      // Idle sockets get a whole keepAliveTimeout from now (node's own timer usually closes
      // them first); one that never sent a request counts from when it was opened.
      t.idleSince = t.requests === 0 ? t.openedAt : now;
      t.requestsAtIdle = t.requests;
    }
  }

  /**
   * Closes sockets idle for keepAliveTimeout. Idleness is what the sweep saw: a socket busy or
   * used since the last sweep starts counting again from now, so none is closed sooner than
   * keepAliveTimeout after its last response (at most one sweep interval later).
   */
  private closeLongIdle(): void {
    this.compact();
    const now = Date.now();
    for (const t of [...this.open]) {
      if (responseOf(t) !== null || t.requests !== t.requestsAtIdle) {
        t.idleSince = now;
        t.requestsAtIdle = t.requests;
      } else if (now - t.idleSince >= this.keepAliveTimeout) {
        t.socket.destroy();
      }
    }
  }

  private serverOnConnection(socket: Socket): void {
    this.track(socket);
  }

  private track(socket: WithTracked<Socket>): Tracked {
    const now = Date.now();
    const tracked: Tracked = { socket, openedAt: now, requests: 0, idleSince: now, requestsAtIdle: 0 };
    socket[kTracked] = tracked;
    if (this.open.push(tracked) >= this.compactAt) this.compact();
    // A connection handed over while the drain began (round-robin) is waited for too.
    if (this.draining) this.waitForClose(socket);
    return tracked;
  }

  /** Drops the records of closed sockets. */
  private compact(): void {
    const open = this.open;
    let kept = 0;
    for (let i = 0; i < open.length; i++) {
      const t = open[i]!;
      if (!t.socket.destroyed) open[kept++] = t;
    }
    open.length = kept;
    this.compactAt = kept + Math.max(COMPACT_BATCH, kept >> 2);
  }

  /** A destroyed socket is closing already: its 'close' may have been emitted, so it is not waited for. */
  private waitForClose(socket: Socket): void {
    if (socket.destroyed) return;
    this.closing += 1;
    socket.once('close', () => {
      this.closing -= 1;
      if (this.closing === 0) this.drained?.();
    });
  }
}
