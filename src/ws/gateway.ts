// A gateway's state: its clients (with their uid, groups, session and handshake), the peers on
// its local socket (business workers and push clients), and the dispatch of each client's
// items (open, messages, close) to a business worker, one at a time and in order.
//
// One item per client in flight: a client's next message leaves only when the previous one is
// done. That keeps each client's messages in order without any bookkeeping in business workers,
// lets a client move to another business worker (reload, crash) between two messages, and
// makes the session sent with an item always the one the previous item left.
import type net from 'node:net';
import type { WebSocket } from 'ws';
import { PROTO } from '../protocol/envelope.js';
import type { ConnectionInfo } from '../protocol/status.js';
import type { WorkerCounters } from '../worker/stats.js';
import type { Handshake } from './api.js';
import { clientIdFactory, clientIdPrefix } from './client-id.js';
import {
  BUSINESS_WAIT_MS,
  CLOSE_GOING_AWAY,
  CLOSE_HANDSHAKE_MS,
  CLOSE_IDLE,
  MAX_PENDING_PER_CLIENT,
  REPLY_BAD_MESSAGE,
  REPLY_UNAVAILABLE,
} from './constants.js';
import {
  CLIENT_OPS,
  encode,
  LineReader,
  type ClientItem,
  type GatewayToPeer,
  type OpArgs,
  type OpName,
  type OpResult,
  type PeerRole,
  type PeerToGateway,
  type WireData,
} from './protocol.js';
import { mergeResults } from './relay.js';
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

interface Client {
  readonly id: string;
  /** Sequence number in this gateway: picks the client's business slot. */
  readonly n: number;
  readonly ws: WebSocket;
  readonly handshake: Handshake;
  readonly openedAt: number;
  lastSeen: number;
  lastPingAt: number;
  awaitingPong: boolean;
  uid: string | null;
  groups: Set<string> | null;
  /** JSON text, as business workers and push clients set it. */
  session: string | null;
  messages: number;
  closed: boolean;
  paused: boolean;
  /** The item a business worker is handling for this client, and which one. */
  inflight: ClientItem | null;
  peer: Peer | null;
  /** Items waiting for the one in flight, or for a business worker. */
  queue: ClientItem[] | null;
  /** When the queue started waiting for a business worker to exist (0: not waiting). */
  waitingSince: number;
}

class Peer {
  role: PeerRole | null = null;
  slot = 0;
  generation = 0;
  pid = 0;
  retiring = false;
  hooks = { connect: true, close: true };
  slots: number[] = [];
  /** Clients with an item in flight on this peer. */
  readonly clients = new Set<Client>();

  constructor(
    readonly socket: net.Socket,
    readonly seq: number,
  ) {}

  send(message: GatewayToPeer): void {
    if (!this.socket.destroyed) this.socket.write(encode(message));
  }
}

const CLIENT = Symbol('drover.client');
type TaggedSocket = WebSocket & { [CLIENT]: Client };
type Listener = (this: WebSocket, ...args: any[]) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

export class Gateway {
  readonly clients = new Map<string, Client>();
  /** Closed clients whose close item has not been handled yet. */
  private readonly closing = new Map<string, Client>();
  private readonly uids = new Map<string, Set<Client>>();
  private readonly groups = new Map<string, Set<Client>>();
  private readonly peers = new Set<Peer>();
  /** The business worker each business slot's clients go to: the newest non-retiring one. */
  private bySlot = new Map<number, Peer>();
  private businessSlots: number[] = [];
  private hooks = { connect: true, close: true };
  private readonly waiting = new Set<Client>();
  private readonly makeId: (n: number) => string;
  /** Every client id of this gateway boot starts with it. */
  readonly idPrefix: string;
  /** Set when "redis" is configured: operations this host cannot answer alone go through it. */
  remote: RemoteRelay | null = null;
  private seq = 0;
  private peerSeq = 0;
  private stopping = false;
  private readonly ops: { [K in OpName]: (args: OpArgs<K>) => OpResult<K> };
  // Listeners shared by every client (one closure per gateway, not per connection).
  private readonly wsOnMessage: (this: TaggedSocket, data: Buffer, isBinary: boolean) => void;
  private readonly wsOnPing: (this: TaggedSocket) => void;
  private readonly wsOnPong: (this: TaggedSocket) => void;
  private readonly wsOnClose: (this: TaggedSocket, code: number, reason: Buffer) => void;

  constructor(private readonly options: GatewayOptions) {
    this.idPrefix = clientIdPrefix(options.slot);
    this.makeId = clientIdFactory(options.slot, this.idPrefix);
    const gateway = this;
    this.wsOnMessage = function (data, isBinary) {
      gateway.clientOnMessage(this[CLIENT], data, isBinary);
    };
    this.wsOnPing = function () {
      this[CLIENT].lastSeen = Date.now();
    };
    this.wsOnPong = function () {
      this[CLIENT].awaitingPong = false;
    };
    this.wsOnClose = function (code, reason) {
      gateway.clientOnClose(this[CLIENT], code, reason.toString());
    };
    this.ops = this.opHandlers();
  }

  get size(): number {
    return this.clients.size;
  }

  // ── clients ────────────────────────────────────────────────────────────────────────────

  accept(ws: WebSocket, handshake: Handshake): void {
    const n = ++this.seq;
    const now = Date.now();
    const client: Client = {
      id: this.makeId(n),
      n,
      ws,
      handshake,
      openedAt: now,
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
    (ws as TaggedSocket)[CLIENT] = client;
    ws.on('message', this.wsOnMessage as Listener);
    ws.on('ping', this.wsOnPing as Listener);
    ws.on('pong', this.wsOnPong as Listener);
    ws.on('close', this.wsOnClose as Listener);
    ws.on('error', ignore);
    this.clients.set(client.id, client);
    this.options.counters.connections += 1;
    if (this.hooks.connect) this.enqueue(client, { t: 'open', c: client.id, h: client.handshake, s: null });
  }

  private clientOnMessage(client: Client, data: Buffer, isBinary: boolean): void {
    client.lastSeen = Date.now();
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
    this.enqueue(client, { t: 'msg', c: client.id, d: text, s: null });
  }

  private clientOnClose(client: Client, code: number, reason: string): void {
    this.detach(client);
    if (this.hooks.close) this.enqueue(client, { t: 'close', c: client.id, code, reason, h: client.handshake, s: null, uid: client.uid });
    else this.finishIfClosed(client);
  }

  /**
   * Takes a client out of every index (online, uid, groups): when its connection has closed,
   * or as soon as this gateway decides to close it, so that pushes and counts stop seeing it
   * before the closing handshake is over. Its uid stays on the record for the close hook.
   */
  private detach(client: Client): void {
    if (client.closed) return;
    client.closed = true;
    this.clients.delete(client.id);
    this.options.counters.connections -= 1;
    if (client.uid !== null) {
      const set = this.uids.get(client.uid);
      set?.delete(client);
      if (set?.size === 0) this.uids.delete(client.uid);
    }
    if (client.groups) for (const group of [...client.groups]) this.removeFromGroup(client, group);
    this.closing.set(client.id, client);
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
  private write(client: Client, data: string | Buffer, binary = false): boolean {
    const ws = client.ws;
    if (client.closed || ws.readyState !== 1) return false;
    // A client that does not read would grow this process without bound (ws buffers whatever
    // the kernel does not take): past the limit it is dropped.
    if (ws.bufferedAmount > this.options.maxBufferedAmount) {
      this.options.log(`client ${client.id} (${client.handshake.remoteAddress}) reads too slowly: ${ws.bufferedAmount} bytes waiting > maxBufferedAmount; closing it`);
      this.terminateClient(client);
      return false;
    }
    ws.send(data, { binary });
    return true;
  }

  // ── dispatch ───────────────────────────────────────────────────────────────────────────

  private enqueue(client: Client, item: ClientItem): void {
    if (client.inflight === null && (client.queue === null || client.queue.length === 0)) {
      const target = this.targetFor(client);
      if (target) return this.handOver(client, target, item);
    }
    (client.queue ??= []).push(item);
    this.pump(client);
    if (!client.paused && client.queue && client.queue.length >= MAX_PENDING_PER_CLIENT) {
      client.paused = true;
      client.ws.pause();
    }
  }

  private pump(client: Client): void {
    const queue = client.queue;
    while (client.inflight === null && queue && queue.length > 0) {
      const target = this.targetFor(client);
      if (!target) {
        if (client.waitingSince === 0) {
          client.waitingSince = Date.now();
          this.waiting.add(client);
        }
        return;
      }
      this.handOver(client, target, queue.shift()!);
    }
    if (client.waitingSince !== 0) {
      client.waitingSince = 0;
      this.waiting.delete(client);
    }
    if (client.paused && (queue?.length ?? 0) < MAX_PENDING_PER_CLIENT / 2) {
      client.paused = false;
      client.ws.resume();
    }
    this.finishIfClosed(client);
  }

  private handOver(client: Client, peer: Peer, item: ClientItem): void {
    // The session as the last done item left it: sent now, not when the item arrived.
    item.s = client.session;
    client.inflight = item;
    client.peer = peer;
    peer.clients.add(client);
    peer.send(item);
  }

  /** The client's business slot's worker; any business worker if that slot has none now. */
  private targetFor(client: Client): Peer | null {
    const slots = this.businessSlots;
    if (slots.length === 0) return null;
    const slot = slots[client.n % slots.length]!;
    const pinned = this.bySlot.get(slot);
    if (pinned) return pinned;
    // Its worker crashed or is being replaced: another one keeps the client served meanwhile.
    for (let i = 1; i < slots.length; i++) {
      const other = this.bySlot.get(slots[(client.n + i) % slots.length]!);
      if (other) return other;
    }
    return null;
  }

  private onDone(peer: Peer, message: Extract<PeerToGateway, { t: 'done' }>): void {
    const client = this.clients.get(message.c) ?? this.closing.get(message.c);
    if (!client || client.peer !== peer || client.inflight === null) return;
    const item = client.inflight;
    client.inflight = null;
    peer.clients.delete(client);
    if (message.s !== undefined) client.session = message.s;
    if (message.r !== undefined) this.write(client, message.r);
    if (item.t === 'close') this.closing.delete(client.id);
    this.pump(client);
  }

  private finishIfClosed(client: Client): void {
    if (client.closed && client.inflight === null && (client.queue === null || client.queue.length === 0)) {
      this.closing.delete(client.id);
      this.waiting.delete(client);
    }
  }

  // ── peers ──────────────────────────────────────────────────────────────────────────────

  addPeer(socket: net.Socket): void {
    const peer = new Peer(socket, ++this.peerSeq);
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    const reader = new LineReader<PeerToGateway>(
      (m) => this.onPeerMessage(peer, m),
      (line) => {
        this.options.log(`a peer on the local socket sent something that is not a message (${line.slice(0, 80)}): disconnected`);
        socket.destroy();
      },
    );
    socket.on('data', (chunk: string) => reader.push(chunk));
    socket.on('error', ignore);
    socket.on('close', () => this.onPeerClosed(peer));
  }

  private onPeerMessage(peer: Peer, message: PeerToGateway): void {
    if (peer.role === null && message.t !== 'hello') return void peer.socket.destroy();
    switch (message.t) {
      case 'hello':
        return this.onHello(peer, message);
      case 'done':
        return this.onDone(peer, message);
      case 'call':
        return this.onCall(peer, message);
      case 'bye':
        peer.retiring = true;
        this.choosePeers();
        return peer.send({ t: 'bye-ok' });
      default:
        return void peer.socket.destroy();
    }
  }

  private onHello(peer: Peer, hello: Extract<PeerToGateway, { t: 'hello' }>): void {
    if (hello.proto !== PROTO || peer.role !== null) return void peer.socket.destroy();
    peer.role = hello.role;
    peer.pid = hello.pid;
    peer.send({ t: 'welcome', proto: PROTO, slot: this.options.slot, pid: process.pid });
    if (hello.role !== 'business') return;
    peer.slot = hello.slot;
    peer.generation = hello.generation;
    peer.slots = hello.slots;
    peer.hooks = hello.hooks;
    this.peers.add(peer);
    this.choosePeers();
    for (const client of [...this.waiting]) this.pump(client);
  }

  private onPeerClosed(peer: Peer): void {
    if (!this.peers.delete(peer)) return;
    this.choosePeers();
    for (const client of peer.clients) {
      const lost = client.inflight;
      client.inflight = null;
      client.peer = null;
      if (lost?.t === 'msg') {
        this.write(client, errorReply(REPLY_UNAVAILABLE, 'the worker handling this message exited before it answered; the message may or may not have been handled.'));
      } else if (lost) {
        (client.queue ??= []).unshift(lost); // a hook that did not run runs on the next worker
      }
    }
    const affected = [...peer.clients];
    peer.clients.clear();
    if (!peer.retiring && !this.stopping) this.options.log(`business worker ${peer.slot} (pid ${peer.pid}) left without saying goodbye: ${affected.length} clients move to another worker`);
    for (const client of affected) this.pump(client);
  }

  /** Picks, per business slot, the newest worker that is not retiring. */
  private choosePeers(): void {
    const bySlot = new Map<number, Peer>();
    let newest: Peer | null = null;
    for (const peer of this.peers) {
      if (!newest || peer.generation > newest.generation || (peer.generation === newest.generation && peer.seq > newest.seq)) newest = peer;
      if (peer.retiring) continue;
      const best = bySlot.get(peer.slot);
      if (!best || peer.generation > best.generation || (peer.generation === best.generation && peer.seq > best.seq)) bySlot.set(peer.slot, peer);
    }
    this.bySlot = bySlot;
    if (newest) {
      this.businessSlots = newest.slots;
      this.hooks = newest.hooks;
    }
  }

  // ── push operations ────────────────────────────────────────────────────────────────────

  private onCall(peer: Peer, call: Extract<PeerToGateway, { t: 'call' }>): void {
    const handler = Object.hasOwn(this.ops, call.op) ? (this.ops[call.op] as (args: unknown[]) => unknown) : null;
    let value: unknown;
    try {
      if (!handler) throw new Error(`unknown operation "${call.op}"`);
      if (!Array.isArray(call.a)) throw new TypeError('arguments must be an array');
      value = handler(call.a);
    } catch (error) {
      if (call.id !== 0) peer.send({ t: 'answer', id: call.id, e: (error as Error).message });
      return;
    }
    if (this.remote && this.crossesHosts(call)) {
      // The other hosts' answers are folded into this gateway's: the peer sees one result.
      void this.remote(call.op, call.a).then(
        (remote) => call.id !== 0 && peer.send({ t: 'answer', id: call.id, v: mergeResults(value, remote) }),
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
  private crossesHosts(call: Extract<PeerToGateway, { t: 'call' }>): boolean {
    if (CLIENT_OPS.has(call.op)) return typeof call.a[0] === 'string' && !call.a[0].startsWith(this.idPrefix);
    return call.x === 1;
  }

  /** Applies an operation that came from another host to this gateway's clients. */
  applyRemote(op: OpName, args: unknown[]): unknown {
    const handler = Object.hasOwn(this.ops, op) ? (this.ops[op] as (args: unknown[]) => unknown) : null;
    if (!handler) throw new Error(`unknown operation "${op}"`);
    return handler(args);
  }

  private opHandlers(): { [K in OpName]: (args: OpArgs<K>) => OpResult<K> } {
    const online = (id: unknown) => this.clients.get(str(id, 'client id')) ?? null;
    return {
      sendToClient: ([id, data]) => {
        const client = online(id);
        return client ? this.push([client], data, null) === 1 : false;
      },
      sendToUid: ([uid, data]) => this.push(this.uids.get(str(uid, 'uid')) ?? [], data, null),
      sendToGroup: ([group, data, exclude]) => this.push(this.groups.get(str(group, 'group')) ?? [], data, exclude),
      sendToAll: ([data, exclude]) => this.push(this.clients.values(), data, exclude),
      bindUid: ([id, uid]) => {
        const client = online(id);
        if (!client) return false;
        if (client.uid !== null) this.unbind(client);
        client.uid = str(uid, 'uid');
        let set = this.uids.get(client.uid);
        if (!set) this.uids.set(client.uid, (set = new Set()));
        set.add(client);
        return true;
      },
      unbindUid: ([id, uid]) => {
        const client = online(id);
        if (!client || client.uid !== str(uid, 'uid')) return false;
        this.unbind(client);
        return true;
      },
      joinGroup: ([id, group]) => {
        const client = online(id);
        if (!client) return false;
        str(group, 'group');
        (client.groups ??= new Set()).add(group);
        let set = this.groups.get(group);
        if (!set) this.groups.set(group, (set = new Set()));
        set.add(client);
        return true;
      },
      leaveGroup: ([id, group]) => {
        const client = online(id);
        if (!client?.groups?.has(str(group, 'group'))) return false;
        this.removeFromGroup(client, group);
        return true;
      },
      ungroup: ([group]) => {
        const set = this.groups.get(str(group, 'group'));
        if (!set) return 0;
        for (const client of set) client.groups?.delete(group);
        this.groups.delete(group);
        return set.size;
      },
      closeClient: ([id, code, reason]) => {
        const client = online(id);
        if (!client) return false;
        const valid = code === 1000 || (typeof code === 'number' && Number.isInteger(code) && code >= 3000 && code <= 4999);
        this.closeClient(client, valid ? code : 1000, typeof reason === 'string' ? reason.slice(0, 120) : '');
        return true;
      },
      isOnline: ([id]) => online(id) !== null,
      isUidOnline: ([uid]) => (this.uids.get(str(uid, 'uid'))?.size ?? 0) > 0,
      getClientIdsByUid: ([uid]) => [...(this.uids.get(str(uid, 'uid')) ?? [])].map((c) => c.id),
      getClientIdsByGroup: ([group]) => [...(this.groups.get(str(group, 'group')) ?? [])].map((c) => c.id),
      getUidByClientId: ([id]) => online(id)?.uid ?? null,
      getClientCount: () => this.clients.size,
      getClientCountByGroup: ([group]) => this.groups.get(str(group, 'group'))?.size ?? 0,
      getSession: ([id]) => {
        const client = online(id);
        return client ? (client.session ?? '{}') : null;
      },
      setSession: ([id, session]) => {
        const client = online(id);
        if (!client) return false;
        client.session = jsonObjectText(session);
        return true;
      },
      updateSession: ([id, partial]) => {
        const client = online(id);
        if (!client) return false;
        const merged = { ...(JSON.parse(client.session ?? '{}') as object), ...(JSON.parse(jsonObjectText(partial)) as object) };
        client.session = JSON.stringify(merged);
        return true;
      },
    };
  }

  /** Sends one piece of data to many clients, encoded once. */
  private push(clients: Iterable<Client>, data: WireData, exclude: unknown): number {
    const binary = typeof data !== 'string';
    if (binary && typeof data?.b64 !== 'string') throw new TypeError('data must be a string or { b64 }');
    const payload = binary ? Buffer.from(data.b64, 'base64') : Buffer.from(data);
    const skip = Array.isArray(exclude) && exclude.length > 0 ? new Set(exclude) : null;
    let sent = 0;
    for (const client of clients) {
      if (skip?.has(client.id)) continue;
      if (this.write(client, payload, binary)) sent += 1;
    }
    return sent;
  }

  private unbind(client: Client): void {
    const set = this.uids.get(client.uid!);
    set?.delete(client);
    if (set?.size === 0) this.uids.delete(client.uid!);
    client.uid = null;
  }

  private removeFromGroup(client: Client, group: string): void {
    client.groups?.delete(group);
    const set = this.groups.get(group);
    set?.delete(client);
    if (set?.size === 0) this.groups.delete(group);
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
    for (const client of this.clients.values()) {
      if (!client.paused && now - client.lastSeen > timeout) {
        this.closeClient(client, CLOSE_IDLE, 'heartbeat timeout');
        continue;
      }
      if (now - client.lastPingAt < interval) continue;
      if (client.awaitingPong) {
        this.terminateClient(client);
        continue;
      }
      client.awaitingPong = true;
      client.lastPingAt = now;
      client.ws.ping();
    }
    for (const client of this.waiting) {
      if (now - client.waitingSince < BUSINESS_WAIT_MS) continue;
      this.waiting.delete(client);
      client.waitingSince = 0;
      for (const item of client.queue ?? []) {
        if (item.t === 'msg') this.write(client, errorReply(REPLY_UNAVAILABLE, `no business worker is available (waited ${BUSINESS_WAIT_MS} ms).`));
      }
      client.queue = null;
      this.finishIfClosed(client);
    }
  }

  /** Closes every client with 1001, spread evenly over `spreadMs`, and waits until they are gone. */
  async closeAll(spreadMs: number): Promise<void> {
    this.stopping = true;
    const all = [...this.clients.values()];
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

  closePeers(): void {
    for (const peer of this.peers) peer.socket.end();
  }

  list(): ConnectionInfo[] {
    const now = Date.now();
    return [...this.clients.values()].map((c) => ({
      remoteAddress: c.handshake.remoteAddress,
      remotePort: c.handshake.remotePort,
      ageMs: now - c.openedAt,
      requests: c.messages,
      clientId: c.id,
      uid: c.uid,
      groups: c.groups ? [...c.groups] : [],
    }));
  }
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

function jsonObjectText(value: unknown): string {
  const text = str(value, 'session');
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('a session must be a JSON object');
  return text;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function ignore(): void {}
