// The dispatch of each client's items (open, messages, close) to a business worker, one at a
// time and in order, and the peers on a gateway's local socket (business workers and push
// clients) that the items go to and the calls come from.
//
// One item per client in flight: a client's next message leaves only when the previous one is
// done. That keeps each client's messages in order without any bookkeeping in business workers,
// lets a client move to another business worker (reload, crash) between two messages, and
// makes the session sent with an item always the one the previous item left.
import type net from 'node:net';
import { PROTO } from '../protocol/envelope.js';
import type { IndexedClient } from './client-index.js';
import { BUSINESS_WAIT_MS, MAX_PENDING_PER_CLIENT, REPLY_UNAVAILABLE } from './constants.js';
import { encode, LineReader, type ClientItem, type GatewayToPeer, type PeerRole, type PeerToGateway } from './protocol.js';
import { errorReply } from './replies.js';

/** What the dispatcher keeps on each client. */
export interface DispatchedClient extends IndexedClient {
  /** Sequence number in this gateway: picks the client's business slot. */
  readonly n: number;
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

export type Call = Extract<PeerToGateway, { t: 'call' }>;

export class Peer {
  role: PeerRole | null = null;
  slot = 0;
  generation = 0;
  pid = 0;
  retiring = false;
  hooks = { connect: true, close: true };
  slots: number[] = [];
  /** Clients with an item in flight on this peer. */
  readonly clients = new Set<DispatchedClient>();

  constructor(
    readonly socket: net.Socket,
    readonly seq: number,
  ) {}

  send(message: GatewayToPeer): void {
    if (!this.socket.destroyed) this.socket.write(encode(message));
  }
}

export interface DispatcherOptions<C extends DispatchedClient> {
  slot: number;
  /** An online client, or one closed whose close item is not handled yet. */
  find(id: string): C | null;
  write(client: C, text: string): void;
  /** Stops (true) or resumes reading the client's socket. */
  pause(client: C, paused: boolean): void;
  onCall(peer: Peer, call: Call): void;
  /** A client has nothing in flight or queued any more (only watched while the gateway is released). */
  idle?(client: C): void;
  log(message: string): void;
}

export class Dispatcher<C extends DispatchedClient> {
  private readonly peers = new Set<Peer>();
  /** The business worker each business slot's clients go to: the newest non-retiring one. */
  private bySlot = new Map<number, Peer>();
  private businessSlots: number[] = [];
  /** Which client hooks the newest business workers run. */
  hooks = { connect: true, close: true };
  private readonly waiting = new Set<C>();
  /** Closed clients whose close item has not been handled yet. */
  private readonly closing = new Map<string, C>();
  private peerSeq = 0;
  stopping = false;

  constructor(private readonly options: DispatcherOptions<C>) {}

  closingClient(id: string): C | null {
    return this.closing.get(id) ?? null;
  }

  /** A client left the index: it stays reachable for its close item until that is done. */
  markClosing(client: C): void {
    this.closing.set(client.id, client);
  }

  enqueue(client: C, item: ClientItem): void {
    if (client.inflight === null && (client.queue === null || client.queue.length === 0)) {
      const target = this.targetFor(client);
      if (target) return this.handOver(client, target, item);
    }
    (client.queue ??= []).push(item);
    this.pump(client);
    if (!client.paused && client.queue && client.queue.length >= MAX_PENDING_PER_CLIENT) {
      client.paused = true;
      this.options.pause(client, true);
    }
  }

  private pump(client: C): void {
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
      this.options.pause(client, false);
    }
    this.finishIfClosed(client);
    if (client.inflight === null && !client.closed) this.options.idle?.(client);
  }

  /** True while the client has an item at a business worker or waiting for one. */
  isBusy(client: C): boolean {
    return client.inflight !== null || (client.queue !== null && client.queue.length > 0);
  }

  /** True once no closed client waits for its close item and no item is at a business worker. */
  get settled(): boolean {
    if (this.closing.size > 0) return false;
    for (const peer of this.peers) if (peer.clients.size > 0) return false;
    return true;
  }

  private handOver(client: C, peer: Peer, item: ClientItem): void {
    // The session as the last done item left it: sent now, not when the item arrived.
    item.s = client.session;
    client.inflight = item;
    client.peer = peer;
    peer.clients.add(client);
    peer.send(item);
  }

  /** The client's business slot's worker; any business worker if that slot has none now. */
  private targetFor(client: C): Peer | null {
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
    const client = this.options.find(message.c);
    if (!client || client.peer !== peer || client.inflight === null) return;
    const item = client.inflight;
    client.inflight = null;
    peer.clients.delete(client);
    if (message.s !== undefined) client.session = message.s;
    if (message.r !== undefined) this.options.write(client, message.r);
    if (item.t === 'close') this.closing.delete(client.id);
    this.pump(client);
  }

  finishIfClosed(client: C): void {
    if (client.closed && client.inflight === null && (client.queue === null || client.queue.length === 0)) {
      this.closing.delete(client.id);
      this.waiting.delete(client);
    }
  }

  /** Fails messages that waited longer than BUSINESS_WAIT_MS for a business worker to exist. */
  sweep(now: number): void {
    for (const client of this.waiting) {
      if (now - client.waitingSince < BUSINESS_WAIT_MS) continue;
      this.waiting.delete(client);
      client.waitingSince = 0;
      for (const item of client.queue ?? []) {
        if (item.t === 'msg') this.options.write(client, errorReply(REPLY_UNAVAILABLE, `no business worker is available (waited ${BUSINESS_WAIT_MS} ms).`));
      }
      client.queue = null;
      this.finishIfClosed(client);
      if (client.inflight === null && !client.closed) this.options.idle?.(client);
    }
  }

  // Peers ───────────────────────────────────────────────────────────────────────────────────

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

  closePeers(): void {
    for (const peer of this.peers) peer.socket.end();
  }

  private onPeerMessage(peer: Peer, message: PeerToGateway): void {
    if (peer.role === null && message.t !== 'hello') return void peer.socket.destroy();
    switch (message.t) {
      case 'hello':
        return this.onHello(peer, message);
      case 'done':
        return this.onDone(peer, message);
      case 'call':
        return this.options.onCall(peer, message);
      case 'bye':
        peer.retiring = true;
        this.choosePeers();
        return peer.send({ t: 'bye-ok' });
      case 'slots':
        if (peer.role !== 'business' || !Array.isArray(message.slots) || !message.slots.every((n) => Number.isInteger(n) && n > 0)) return void peer.socket.destroy();
        peer.slots = message.slots;
        this.choosePeers();
        for (const client of [...this.waiting]) this.pump(client);
        return;
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
    const affected = [...peer.clients] as C[];
    peer.clients.clear();
    for (const client of affected) {
      const lost = client.inflight;
      client.inflight = null;
      client.peer = null;
      if (lost?.t === 'msg') {
        this.options.write(client, errorReply(REPLY_UNAVAILABLE, 'the worker handling this message exited before it answered; the message may or may not have been handled.'));
      } else if (lost) {
        (client.queue ??= []).unshift(lost); // a hook that did not run runs on the next worker
      }
    }
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
}

function ignore(): void {}
