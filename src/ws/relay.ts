// Push operations across hosts, through Redis pub/sub (config key "redis"). Every gateway of
// every host subscribes to the service's command channel and to a reply channel of its own.
// A gateway that relays an operation publishes it with a request id; the gateways of the
// other hosts apply it to the clients they hold and answer on the relaying gateway's reply
// channel (gateways of the relaying host ignore it: their clients were reached over the local
// sockets already).
//
// How many answers to wait for: the gateways of other hosts that this gateway has heard from
// lately. Each gateway announces itself ("here") when it (re)subscribes and every BEACON_MS;
// one not heard from for PEER_EXPIRY_MS is no longer waited for, and one that stops cleanly
// says "gone". PUBLISH's receiver count is not used: it counts the subscribers of the node
// that took the PUBLISH only, which is wrong with replicas, during a Sentinel failover (the
// subscribers may still sit on the old primary) and in a cluster. A relayed operation waits at
// most REMOTE_TIMEOUT_MS; when Redis is down nothing is published: the operation has reached
// this host's clients and that is its answer.
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import type { RedisConfig } from '../config/redis.js';
import type { OpName } from './protocol.js';
import { RedisLink } from './redis-link.js';

/** How long a relayed operation waits for the other hosts' answers. */
export const REMOTE_TIMEOUT_MS = 1_000;
/** Every gateway says "here" this often; a peer silent for PEER_EXPIRY_MS is not waited for. */
export const BEACON_MS = 2_000;
export const PEER_EXPIRY_MS = 3 * BEACON_MS;

type Command =
  /** An operation: h = the relaying host (its own gateways skip it), r = where to answer. */
  | { k: 'op'; h: string; r: string; id: number; op: OpName; a: unknown[] }
  /** A gateway is subscribed (r = its reply channel); `back` asks the others to say "here" to it. */
  | { k: 'here'; h: string; r: string; back?: 1 }
  | { k: 'gone'; h: string; r: string };

interface Answer {
  id: number;
  /** The answering gateway's reply channel. */
  from: string;
  /** Absent: the operation failed there (bad arguments). */
  v?: unknown;
}

interface Waiting {
  values: unknown[];
  expected: Set<string>;
  done(): void;
}

export interface RelayOptions {
  redis: RedisConfig;
  root: string;
  service: string;
  slot: number;
  /** Applies an operation to this gateway's clients. */
  apply(op: OpName, args: unknown[]): unknown;
  log(message: string): void;
}

export class Relay {
  private readonly host: string;
  private readonly commands: string;
  private readonly replies: string;
  private readonly link: RedisLink;
  private readonly waiting = new Map<number, Waiting>();
  /** Gateways of other hosts: reply channel → when last heard from. */
  private readonly peers = new Map<string, number>();
  private beacon: NodeJS.Timeout | null = null;
  private nextId = 1;

  constructor(private readonly options: RelayOptions) {
    const { redis } = options;
    // The gateways of one service under one master share this; no other host has it.
    this.host = createHash('sha256').update(`${os.hostname()}\0${options.root}\0${options.service}\0${process.ppid}`).digest('base64url').slice(0, 16);
    this.commands = `${redis.prefix}:ws:${options.service}`;
    this.replies = `${this.commands}:reply:${this.host}:${options.slot}:${randomBytes(4).toString('hex')}`;
    this.link = new RedisLink({
      config: redis,
      root: options.root,
      channels: [this.commands, this.replies],
      onMessage: (channel, text) => this.onMessage(channel, text),
      onSubscribed: () => this.announce({ k: 'here', h: this.host, r: this.replies, back: 1 }),
      onState: (up, why) =>
        options.log(
          up
            ? `redis: connected to ${redis.display}: pushes reach every host`
            : `redis: ${redis.display} is unreachable (${why}): pushes reach this host's clients only; retrying with back-off`,
        ),
    });
  }

  async start(): Promise<void> {
    await this.link.start();
    this.beacon = setInterval(() => {
      this.livePeers(); // forgets peers that went silent, even when nothing is relayed
      this.announce({ k: 'here', h: this.host, r: this.replies });
    }, BEACON_MS);
    this.beacon.unref();
  }

  close(): void {
    if (this.beacon) clearInterval(this.beacon);
    const gone: Command = { k: 'gone', h: this.host, r: this.replies };
    void this.link.publish(this.commands, JSON.stringify(gone)).catch(() => undefined).finally(() => this.link.close());
    for (const w of this.waiting.values()) w.done();
  }

  /** The results of the other hosts' gateways (none when Redis is down or nobody answers in time). */
  async relay(op: OpName, args: unknown[]): Promise<unknown[]> {
    const expected = this.livePeers();
    if (!this.link.up || expected.size === 0) return [];
    const id = this.nextId++;
    const command: Command = { k: 'op', h: this.host, r: this.replies, id, op, a: args };
    const values: unknown[] = [];
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const timer = setTimeout(() => finish(), REMOTE_TIMEOUT_MS);
    this.waiting.set(id, { values, expected, done: () => finish() });
    try {
      await this.link.publish(this.commands, JSON.stringify(command));
      await finished;
    } catch {
      // Redis went away meanwhile: what answered so far is all there is.
    } finally {
      clearTimeout(timer);
      this.waiting.delete(id);
    }
    return values;
  }

  private livePeers(): Set<string> {
    const oldest = Date.now() - PEER_EXPIRY_MS;
    const live = new Set<string>();
    for (const [peer, seen] of this.peers) {
      if (seen < oldest) this.peers.delete(peer);
      else live.add(peer);
    }
    return live;
  }

  private announce(message: Command, channel = this.commands): void {
    this.link.publish(channel, JSON.stringify(message)).catch(() => undefined);
  }

  private onMessage(channel: string, text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    if (channel === this.replies) {
      const m = message as Answer | Command;
      if ('k' in m) return this.onCommand(m);
      return this.onAnswer(m);
    }
    if (channel === this.commands) return this.onCommand(message as Command);
  }

  private onAnswer(answer: Answer): void {
    if (typeof answer.from !== 'string') return;
    this.peers.set(answer.from, Date.now());
    const waiting = this.waiting.get(answer.id);
    if (!waiting) return;
    if (Object.hasOwn(answer, 'v')) waiting.values.push(answer.v);
    waiting.expected.delete(answer.from);
    if (waiting.expected.size === 0) waiting.done();
  }

  private onCommand(command: Command): void {
    if (typeof command.r !== 'string' || typeof command.h !== 'string' || command.h === this.host) return;
    switch (command.k) {
      case 'here':
        this.peers.set(command.r, Date.now());
        // A gateway that just (re)subscribed learns who is there without waiting for beacons.
        if (command.back === 1) this.announce({ k: 'here', h: this.host, r: this.replies }, command.r);
        return;
      case 'gone':
        this.peers.delete(command.r);
        for (const w of this.waiting.values()) if (w.expected.delete(command.r) && w.expected.size === 0) w.done();
        return;
      case 'op': {
        if (typeof command.id !== 'number' || !Array.isArray(command.a)) return;
        this.peers.set(command.r, Date.now());
        const answer: Answer = { id: command.id, from: this.replies };
        try {
          answer.v = this.options.apply(command.op, command.a);
        } catch {
          // An operation this gateway refuses (bad arguments) answers with no value.
        }
        this.link.publish(command.r, JSON.stringify(answer)).catch(() => undefined);
        return;
      }
      default:
        return;
    }
  }
}

