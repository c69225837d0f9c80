// A gateway's clients: accepting them, writing to them, their heartbeats and their closing.
// Who is online with which uid, groups and session is the client index (client-index.ts);
// handing each client's items to business workers is the dispatcher (dispatcher.ts); what the
// push operations do is the operation table (operations.ts).
import type net from 'node:net';
import { WebSocket } from 'ws';
import type { ConnectionInfo } from '../protocol/status.js';
import type { WorkerCounters } from '../worker/stats.js';
import { clientIdFactory, clientIdPrefix } from './client-id.js';
import { ClientIndex } from './client-index.js';
import { CLOSE_GOING_AWAY, CLOSE_HANDSHAKE_MS, CLOSE_IDLE, CLOSE_SERVICE_RESTART, REPLY_BAD_MESSAGE } from './constants.js';
import { Dispatcher, type Call, type DispatchedClient, type Peer } from './dispatcher.js';
import { peerOf } from './handshake.js';
import { clientOf, mergeAnswers, runOperation, type OpContext, type OpName, type WireData } from './operations.js';
import { serverFrame } from './frame.js';
import { errorReply } from './replies.js';

/** Sends an operation to the other hosts and gives back their results (none without Redis). */
export type RemoteRelay = (op: OpName, args: unknown[]) => Promise<unknown[]>;

export interface GatewayOptions {
  slot: number;
  heartbeat: { interval: number; timeout: number };
  maxBufferedAmount: number;
  counters: WorkerCounters;
  log(message: string): void;
}

// Times on a client are small integers, not Date.now() values: those are above 2^31, so each
// would be a boxed double on the heap (3 per client, issue 14). openedAt is in seconds since the
// gateway started (a Smi for decades); lastSeen and lastPingAt are in ms since the gateway's
// clock epoch, which sweep() moves forward before they could leave the Smi range.
interface Client extends DispatchedClient {
  readonly ws: ClientSocket;
  /** The connection under `ws` (the same object ws writes to): pushes write prebuilt frames to it. */
  readonly socket: net.Socket;
  /** JSON text of the Handshake (see captureHandshake). */
  readonly handshake: string;
  readonly openedAt: number;
  lastSeen: number;
  lastPingAt: number;
  awaitingPong: boolean;
  messages: number;
}

/**
 * The WebSocket class the server makes for each connection (WebSocketServer's `WebSocket`
 * option): the client record as a declared field, so the shared listeners find it from `this`.
 * A property added after construction (a symbol key before) gave every socket an out-of-object
 * property array.
 */
export class ClientSocket extends WebSocket {
  client: Client | null = null;
}

type Listener = (this: WebSocket, ...args: any[]) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Past this many ms the clock epoch moves forward (2^29: a Smi even with pointer compression). */
const CLOCK_REBASE_MS = 2 ** 29;

export class Gateway {
  readonly index = new ClientIndex<Client>();
  private readonly dispatcher: Dispatcher<Client>;
  private readonly makeId: (n: number) => string;
  /** Every client id of this gateway boot starts with it. */
  readonly idPrefix: string;
  /** Set when "redis" is configured: operations this host cannot answer alone go through it. */
  remote: RemoteRelay | null = null;
  private seq = 0;
  private readonly opContext: OpContext<Client>;
  private readonly startedAt = Date.now();
  /** lastSeen and lastPingAt count ms from here. */
  private epoch = this.startedAt;
  /** While this gateway is scaled away: the clients waiting for their last answers before they are closed. */
  private released: Map<Client, () => void> | null = null;
  /** Messages received from and sent to clients, for the metrics (stats.ws). */
  messagesIn = 0;
  messagesOut = 0;
  // Listeners shared by every client (one closure per gateway, not per connection).
  private readonly wsOnMessage: (this: ClientSocket, data: Buffer, isBinary: boolean) => void;
  private readonly wsOnPing: (this: ClientSocket) => void;
  private readonly wsOnPong: (this: ClientSocket) => void;
  private readonly wsOnClose: (this: ClientSocket, code: number, reason: Buffer) => void;

  constructor(private readonly options: GatewayOptions) {
    this.idPrefix = clientIdPrefix(options.slot);
    this.makeId = clientIdFactory(options.slot, this.idPrefix);
    this.dispatcher = new Dispatcher<Client>({
      slot: options.slot,
      find: (id) => this.index.get(id) ?? this.dispatcher.closingClient(id),
      write: (client, text) => void this.write(client, text),
      // A released client stays paused: it gets no chance to send what could not be answered.
      pause: (client, paused) => (paused ? client.ws.pause() : this.released === null && client.ws.resume()),
      onCall: (peer, call) => this.onCall(peer, call),
      idle: (client) => this.released?.get(client)?.(),
      log: options.log,
    });
    this.opContext = {
      index: this.index,
      push: (clients, data, exclude) => this.push(clients, data, exclude),
      close: (client, code, reason) => this.closeClient(client, code, reason),
    };
    const gateway = this;
    this.wsOnMessage = function (data, isBinary) {
      gateway.clientOnMessage(this.client!, data, isBinary);
    };
    this.wsOnPing = function () {
      this.client!.lastSeen = gateway.clock();
    };
    this.wsOnPong = function () {
      this.client!.awaitingPong = false;
    };
    this.wsOnClose = function (code, reason) {
      gateway.clientOnClose(this.client!, code, reason.toString());
    };
  }

  get size(): number {
    return this.index.size;
  }

  get groupCount(): number {
    return this.index.groupCount;
  }

  // ── clients ────────────────────────────────────────────────────────────────────────────

  /**
   * ms since the clock epoch: a small integer (see Client). `| 0` because a difference of two
   * Date.now() values is still a heap number; stored once, it would make the field a double for
   * every client.
   */
  private clock(): number {
    return (Date.now() - this.epoch) | 0;
  }

  accept(ws: ClientSocket, handshake: string, socket: net.Socket): void {
    const n = ++this.seq;
    const now = this.clock();
    const client: Client = {
      id: this.makeId(n),
      n,
      ws,
      socket,
      handshake,
      openedAt: Math.floor((Date.now() - this.startedAt) / 1000),
      lastSeen: now,
      lastPingAt: now,
      awaitingPong: false,
      uid: null,
      groups: null,
      session: null,
      messages: 0,
      closed: false,
      paused: false,
      inflight: null,
      peer: null,
      queue: null,
      waitingSince: 0,
    };
    ws.client = client;
    ws.on('message', this.wsOnMessage as Listener);
    ws.on('ping', this.wsOnPing as Listener);
    ws.on('pong', this.wsOnPong as Listener);
    ws.on('close', this.wsOnClose as Listener);
    ws.on('error', ignore);
    this.index.add(client);
    this.options.counters.connections += 1;
    if (this.dispatcher.hooks.connect) this.dispatcher.enqueue(client, { t: 'open', c: client.id, h: client.handshake, s: null });
  }

  private clientOnMessage(client: Client, data: Buffer, isBinary: boolean): void {
    if (client.closed && this.released !== null) return;
    client.lastSeen = this.clock();
    this.messagesIn += 1;
    if (isBinary) {
      this.write(client, errorReply(REPLY_BAD_MESSAGE, 'binary messages are not routed: send JSON text like {"pathInfo":"module/Controller/action"}.'));
      return;
    }
    const text = data.toString('utf8');
    if (text === 'ping') {
      this.write(client, 'pong');
      return;
    }
    client.messages += 1;
    this.dispatcher.enqueue(client, { t: 'msg', c: client.id, d: text, s: null });
  }

  private clientOnClose(client: Client, code: number, reason: string): void {
    this.detach(client);
    if (this.dispatcher.hooks.close) this.dispatcher.enqueue(client, { t: 'close', c: client.id, code, reason, h: client.handshake, s: null, uid: client.uid });
    else this.dispatcher.finishIfClosed(client);
  }

  /**
   * Takes a client out of the index (online, uid, groups): when its connection has closed,
   * or as soon as this gateway decides to close it, so that pushes and counts stop seeing it
   * before the closing handshake is over. Its uid stays on the record for the close hook.
   */
  private detach(client: Client): void {
    if (client.closed) return;
    client.closed = true;
    this.index.remove(client);
    this.options.counters.connections -= 1;
    this.dispatcher.markClosing(client);
  }

  private closeClient(client: Client, code: number, reason: string): void {
    this.detach(client);
    client.ws.close(code, reason);
  }

  private terminateClient(client: Client): void {
    this.detach(client);
    client.ws.terminate();
  }

  /** Sends to one client, unless its send buffer is past the limit: then it is cut off. */
  private write(client: Client, data: string): boolean {
    if (!this.writable(client)) return false;
    client.ws.send(data);
    this.messagesOut += 1;
    return true;
  }

  /**
   * Whether a client can take one more message now. A client that does not read would grow
   * this process without bound (what the kernel does not take is buffered here, and
   * bufferedAmount counts it whether ws or a pushed frame wrote it): past the limit it is
   * dropped.
   */
  private writable(client: Client): boolean {
    const ws = client.ws;
    if (client.closed || ws.readyState !== 1) return false;
    if (ws.bufferedAmount > this.options.maxBufferedAmount) {
      this.options.log(`client ${client.id} (${peerOf(client.handshake).remoteAddress}) reads too slowly: ${ws.bufferedAmount} bytes waiting > maxBufferedAmount; closing it`);
      this.terminateClient(client);
      return false;
    }
    return true;
  }

  /**
   * Sends one piece of data to many clients, framed once (frame.ts): one write of the same
   * Buffer per client instead of ws framing it for each. Safe beside ws's own sends because
   * the gateway has compression off, so ws writes every frame synchronously and in call order
   * (its queue is only used while deflating), and an open client has sent no close frame.
   */
  private push(clients: Iterable<Client>, data: WireData, exclude: ReadonlySet<string> | null): number {
    const binary = typeof data !== 'string';
    const frame = serverFrame(binary ? Buffer.from(data.b64, 'base64') : Buffer.from(data), binary);
    let sent = 0;
    // A write may cut a slow client off, deleting it from the set being walked: Map and Set
    // iteration allows that (no copy of 10,000 clients per broadcast).
    for (const client of clients) {
      if (exclude?.has(client.id) || !this.writable(client)) continue;
      client.socket.write(frame);
      sent += 1;
    }
    this.messagesOut += sent;
    return sent;
  }

  // ── peers and push operations ──────────────────────────────────────────────────────────

  addPeer(socket: net.Socket): void {
    this.dispatcher.addPeer(socket);
  }

  closePeers(): void {
    this.dispatcher.closePeers();
  }

  private onCall(peer: Peer, call: Call): void {
    let value: unknown;
    try {
      value = runOperation(this.opContext, call.op, call.a);
    } catch (error) {
      if (call.id !== 0) peer.send({ t: 'answer', id: call.id, e: (error as Error).message });
      return;
    }
    if (this.remote && this.crossesHosts(call)) {
      // The other hosts' answers are folded into this gateway's: the peer sees one result.
      void this.remote(call.op, call.a).then(
        (remote) => call.id !== 0 && peer.send({ t: 'answer', id: call.id, v: mergeAnswers(call.op, [value, ...remote]) }),
        () => call.id !== 0 && peer.send({ t: 'answer', id: call.id, v: value }),
      );
      return;
    }
    if (call.id !== 0) peer.send({ t: 'answer', id: call.id, v: value });
  }

  /**
   * An operation on one client goes to other hosts when the client is not one of this
   * gateway's (its id has another boot's prefix); one on many clients when the push client
   * picked this gateway to relay it (x), so each host gets it once.
   */
  private crossesHosts(call: Call): boolean {
    const client = clientOf(call.op, call.a);
    if (client !== null) return !client.startsWith(this.idPrefix);
    return call.x === 1;
  }

  /** Applies an operation that came from another host to this gateway's clients. */
  applyRemote(op: OpName, args: unknown[]): unknown {
    return runOperation(this.opContext, op, args);
  }

  // ── heartbeat, waiting clients, stop ───────────────────────────────────────────────────

  /**
   * Closes clients silent for longer than heartbeat.timeout (their text `ping` and protocol
   * pings count; our pings' pongs don't), terminates those that did not answer the previous
   * protocol ping (a dead TCP peer answers nothing), and fails messages that waited too long
   * for a business worker.
   */
  sweep(now: number): void {
    const { interval, timeout } = this.options.heartbeat;
    if (now - this.epoch > CLOCK_REBASE_MS) this.rebaseClock(now);
    const at = (now - this.epoch) | 0;
    for (const client of this.index.all()) {
      if (!client.paused && at - client.lastSeen > timeout) {
        this.closeClient(client, CLOSE_IDLE, 'heartbeat timeout');
        continue;
      }
      if (at - client.lastPingAt < interval) continue;
      if (client.awaitingPong) {
        this.terminateClient(client);
        continue;
      }
      client.awaitingPong = true;
      client.lastPingAt = at;
      client.ws.ping();
    }
    this.dispatcher.sweep(now);
  }

  /**
   * Moves the clock epoch to `now` (ms since 1970), keeping every client's times in step. A
   * time older than the timeout or interval it is compared with stays just past it (a paused
   * client can stay silent for weeks), so the values stay small and the comparisons unchanged.
   */
  private rebaseClock(now: number): void {
    const { interval, timeout } = this.options.heartbeat;
    const shift = now - this.epoch;
    this.epoch = now;
    for (const client of this.index.all()) {
      client.lastSeen = Math.max(client.lastSeen - shift, -timeout - 1);
      client.lastPingAt = Math.max(client.lastPingAt - shift, -interval - 1);
    }
  }

  /** Closes every client with 1001, spread evenly over `spreadMs`, and waits until they are gone. */
  async closeAll(spreadMs: number): Promise<void> {
    this.dispatcher.stopping = true;
    const all = [...this.index.all()];
    const started = Date.now();
    for (let i = 0; i < all.length; i++) {
      const due = Math.floor((i * spreadMs) / all.length);
      const wait = due - (Date.now() - started);
      if (wait > 0) await delay(wait);
      this.closeClient(all[i]!, CLOSE_GOING_AWAY, 'server shutting down');
    }
    const deadline = Date.now() + CLOSE_HANDSHAKE_MS;
    const open = () => all.filter((c) => c.ws.readyState !== 3);
    while (open().length > 0 && Date.now() < deadline) await delay(10);
    for (const client of open()) client.ws.terminate();
  }

  /**
   * Scale down: this gateway goes, the service stays. Every client stops being read, gets the
   * answers to the messages it sent, then is closed with 1012 (reconnect: the port is served by
   * the other gateways), spread over `spreadMs`. A client whose answers have not come by
   * `answerBy` (ms since 1970) is closed anyway. Resolves once the clients are gone and the
   * business workers have finished their close hooks.
   */
  async release(spreadMs: number, answerBy: number): Promise<void> {
    this.dispatcher.stopping = true;
    const all = [...this.index.all()];
    const released = new Map<Client, () => void>();
    this.released = released;
    for (const client of all) client.ws.pause();
    const started = Date.now();
    const closeWhenAnswered = (client: Client): Promise<void> =>
      new Promise<void>((resolve) => {
        const close = () => {
          released.delete(client);
          if (!client.closed) {
            this.closeClient(client, CLOSE_SERVICE_RESTART, 'service restart');
            // Read again, or the client's closing frame would wait in the kernel until ws's
            // closeTimeout (2 s per client, measured). What else it sent after our close frame
            // is dropped (clientOnMessage): it could not be answered.
            client.ws.resume();
          }
          resolve();
        };
        if (client.closed || !this.dispatcher.isBusy(client)) return close();
        released.set(client, close);
      });
    const waits: Array<Promise<void>> = [];
    for (let i = 0; i < all.length; i++) {
      const due = Math.floor((i * spreadMs) / all.length);
      const wait = due - (Date.now() - started);
      if (wait > 0) await delay(wait);
      waits.push(closeWhenAnswered(all[i]!));
    }
    const late = setTimeout(() => [...released.values()].forEach((close) => close()), Math.max(0, answerBy - Date.now()));
    await Promise.all(waits);
    clearTimeout(late);
    const deadline = Math.max(answerBy, Date.now()) + CLOSE_HANDSHAKE_MS;
    const open = () => all.filter((c) => c.ws.readyState !== 3);
    while ((open().length > 0 || !this.dispatcher.settled) && Date.now() < deadline) await delay(10);
    for (const client of open()) client.ws.terminate();
  }

  list(): ConnectionInfo[] {
    const now = Date.now() - this.startedAt;
    return [...this.index.all()].map((c) => ({
      ...peerOf(c.handshake),
      ageMs: Math.max(0, now - c.openedAt * 1000),
      requests: c.messages,
      clientId: c.id,
      uid: c.uid,
      groups: c.groups ? [...c.groups] : [],
    }));
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function ignore(): void {}
