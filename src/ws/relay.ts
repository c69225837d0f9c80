// Push operations across hosts, through Redis pub/sub (config key "redis"). Every gateway of
// every host subscribes to the service's command channel and to a reply channel of its own.
// A gateway that relays an operation publishes it with a request id; every subscriber answers
// on the relaying gateway's reply channel: gateways of other hosts apply the operation to the
// clients they hold and answer with the result, gateways of the relaying host answer "not
// mine" (their own clients were reached over the local sockets already). PUBLISH says how
// many subscribers got the message, so the relaying gateway knows how many answers to wait
// for; it waits at most REMOTE_TIMEOUT_MS. When Redis is down nothing is published: the
// operation has reached this host's clients and that is its answer.
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import type { OpName } from './protocol.js';
import { parseRedisUrl, RedisConnection } from './redis.js';

/** How long a relayed operation waits for the other hosts' answers. */
export const REMOTE_TIMEOUT_MS = 1_000;

interface Command {
  /** The relaying host: its own gateways do not apply the operation twice. */
  h: string;
  /** Where to answer. */
  r: string;
  id: number;
  op: OpName;
  a: unknown[];
}

interface Answer {
  id: number;
  /** Absent: "not mine" (same host, or the operation failed there). */
  v?: unknown;
}

interface Waiting {
  values: unknown[];
  answers: number;
  expected: number | null;
  done(): void;
}

export interface RelayOptions {
  url: string;
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
  private readonly pub: RedisConnection;
  private readonly sub: RedisConnection;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;

  constructor(private readonly options: RelayOptions) {
    const address = parseRedisUrl(options.url);
    if (!address) throw new Error(`"redis" is not a redis:// URL: ${options.url}`);
    // The gateways of one service under one master share this; no other host has it.
    this.host = createHash('sha256').update(`${os.hostname()}\0${options.root}\0${options.service}\0${process.ppid}`).digest('base64url').slice(0, 16);
    this.commands = `${address.prefix}:ws:${options.service}`;
    this.replies = `${this.commands}:reply:${this.host}:${options.slot}:${randomBytes(4).toString('hex')}`;
    const report = (which: string) => (up: boolean, why: string) =>
      options.log(
        up
          ? `${which}: connected to ${address.display}: pushes reach every host`
          : `${which}: ${address.display} is unreachable (${why}): pushes reach this host's clients only; retrying with back-off`,
      );
    this.pub = new RedisConnection({ address, onState: report('redis publish') });
    this.sub = new RedisConnection({
      address,
      subscribe: [this.commands, this.replies],
      onMessage: (channel, text) => this.onMessage(channel, text),
      onState: report('redis subscribe'),
    });
  }

  start(): void {
    this.pub.start();
    this.sub.start();
  }

  close(): void {
    this.pub.close();
    this.sub.close();
    for (const w of this.waiting.values()) w.done();
  }

  /** The results of the other hosts' gateways (none when Redis is down or nobody answers in time). */
  async relay(op: OpName, args: unknown[]): Promise<unknown[]> {
    if (!this.pub.up || !this.sub.up) return [];
    const id = this.nextId++;
    const command: Command = { h: this.host, r: this.replies, id, op, a: args };
    const values: unknown[] = [];
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const timer = setTimeout(() => finish(), REMOTE_TIMEOUT_MS);
    const waiting: Waiting = { values, answers: 0, expected: null, done: () => finish() };
    this.waiting.set(id, waiting);
    try {
      const received = await this.pub.command(['PUBLISH', this.commands, JSON.stringify(command)]);
      waiting.expected = typeof received === 'number' ? received : 0;
      if (waiting.answers >= waiting.expected) finish();
      await finished;
    } catch {
      // Redis went away meanwhile: what answered so far is all there is.
    } finally {
      clearTimeout(timer);
      this.waiting.delete(id);
    }
    return values;
  }

  private onMessage(channel: string, text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    if (channel === this.replies) return this.onAnswer(message as Answer);
    if (channel === this.commands) return this.onCommand(message as Command);
  }

  private onAnswer(answer: Answer): void {
    const waiting = this.waiting.get(answer.id);
    if (!waiting) return;
    waiting.answers += 1;
    if (Object.hasOwn(answer, 'v')) waiting.values.push(answer.v);
    if (waiting.expected !== null && waiting.answers >= waiting.expected) waiting.done();
  }

  private onCommand(command: Command): void {
    if (typeof command.r !== 'string' || typeof command.id !== 'number' || !Array.isArray(command.a)) return;
    const answer: Answer = { id: command.id };
    if (command.h !== this.host) {
      try {
        answer.v = this.options.apply(command.op, command.a);
      } catch {
        // An operation this gateway refuses (bad arguments) answers "not mine".
      }
    }
    this.pub.command(['PUBLISH', command.r, JSON.stringify(answer)]).catch(() => undefined);
  }
}

/** Folds this gateway's result and the other hosts' into one, as the push client folds gateways'. */
export function mergeResults(local: unknown, remote: unknown[]): unknown {
  let result = local;
  for (const value of remote) {
    if (typeof result === 'number' && typeof value === 'number') result += value;
    else if (typeof result === 'boolean' && typeof value === 'boolean') result = result || value;
    else if (Array.isArray(result) && Array.isArray(value)) result = [...result, ...value];
    else if (result === null && value !== null && value !== undefined) result = value;
  }
  return result;
}
