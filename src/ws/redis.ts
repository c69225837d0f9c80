// A minimal Redis client over node:net for what the WebSocket service needs across hosts:
// PUBLISH on one connection, SUBSCRIBE on another (RESP2). It connects by itself, reconnects
// with back-off when Redis goes away, and never throws at its user: a command while Redis is
// down rejects at once, so the caller can carry on with this host only.
import net from 'node:net';

export interface RedisAddress {
  host: string;
  port: number;
  username: string | null;
  password: string | null;
  /** Channel names start with it (default "drover"): several applications may share one Redis. */
  prefix: string;
  /** For log lines: the URL without its password. */
  display: string;
}

/** Parses "redis://[user:password@]host[:port][/db][?prefix=name]", or null when it is not one. */
export function parseRedisUrl(value: string): RedisAddress | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'redis:' || url.hostname === '') return null;
  const port = url.port === '' ? 6379 : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  if (url.pathname.length > 1 && !/^\/\d+$/.test(url.pathname)) return null;
  const prefix = url.searchParams.get('prefix') ?? 'drover';
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(prefix)) return null;
  for (const key of url.searchParams.keys()) if (key !== 'prefix') return null;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    host,
    port,
    username: url.username === '' ? null : decodeURIComponent(url.username),
    password: url.password === '' ? null : decodeURIComponent(url.password),
    prefix,
    display: `redis://${url.host}`,
  };
}

type Reply = string | number | null | Error | Reply[];

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;
/** A command unanswered this long counts as a dead connection. */
const COMMAND_TIMEOUT_MS = 2_000;

export interface RedisConnectionOptions {
  address: RedisAddress;
  /** Channels to subscribe to (a subscriber connection then takes no other command). */
  subscribe?: string[];
  onMessage?(channel: string, message: string): void;
  /** State changes only: "up" once connected (and subscribed), "down" with why. */
  onState?(up: boolean, why: string): void;
}

interface Pending {
  resolve(reply: Reply): void;
  reject(error: Error): void;
}

export class RedisConnection {
  private socket: net.Socket | null = null;
  private parser = new RespParser();
  private pending: Pending[] = [];
  private ready = false;
  private closed = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  private wasUp: boolean | null = null;

  constructor(private readonly options: RedisConnectionOptions) {}

  get up(): boolean {
    return this.ready;
  }

  start(): void {
    if (this.closed || this.socket) return;
    const { host, port, username, password } = this.options.address;
    const socket = net.connect({ host, port });
    this.socket = socket;
    this.parser = new RespParser();
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    let why = 'connection closed';
    const connectTimer = setTimeout(() => socket.destroy(new Error('connect timed out')), COMMAND_TIMEOUT_MS);
    socket.on('connect', () => {
      clearTimeout(connectTimer);
      const setup: Promise<Reply>[] = [];
      if (password !== null) setup.push(this.raw(username !== null ? ['AUTH', username, password] : ['AUTH', password]));
      if (this.options.subscribe?.length) setup.push(this.raw(['SUBSCRIBE', ...this.options.subscribe]));
      else setup.push(this.raw(['PING']));
      Promise.all(setup).then(
        (replies) => {
          const failed = replies.find((r): r is Error => r instanceof Error);
          if (failed) return void socket.destroy(failed);
          if (this.socket !== socket) return;
          this.ready = true;
          this.retryMs = RETRY_MIN_MS;
          this.state(true, 'connected');
        },
        (error: Error) => socket.destroy(error),
      );
    });
    socket.on('data', (chunk: Buffer) => {
      let replies: Reply[];
      try {
        replies = this.parser.push(chunk);
      } catch (error) {
        return void socket.destroy(error as Error);
      }
      for (const reply of replies) this.onReply(reply);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => (why = error.code ?? error.message));
    socket.on('close', () => {
      clearTimeout(connectTimer);
      if (this.socket === socket) this.socket = null;
      this.ready = false;
      const pending = this.pending;
      this.pending = [];
      for (const p of pending) p.reject(new Error(`redis connection lost (${why})`));
      if (this.closed) return;
      this.state(false, why);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.start();
      }, this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    });
  }

  /** A command on a connected, non-subscriber connection; rejects at once when Redis is down. */
  command(args: string[]): Promise<Reply> {
    if (!this.ready) return Promise.reject(new Error(`redis ${this.options.address.display} is not connected`));
    return this.raw(args).then((reply) => {
      if (reply instanceof Error) throw reply;
      return reply;
    });
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket?.destroy();
    this.socket = null;
    this.ready = false;
  }

  private raw(args: string[]): Promise<Reply> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return Promise.reject(new Error('redis is not connected'));
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => socket.destroy(new Error(`no answer from redis within ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
      this.pending.push({
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      socket.write(encodeCommand(args));
    });
  }

  private onReply(reply: Reply): void {
    // A subscriber gets pushed messages besides the answers to its own commands.
    if (Array.isArray(reply) && reply[0] === 'message' && this.options.subscribe) {
      if (typeof reply[1] === 'string' && typeof reply[2] === 'string') this.options.onMessage?.(reply[1], reply[2]);
      return;
    }
    if (Array.isArray(reply) && reply[0] === 'subscribe' && this.options.subscribe) {
      // One confirmation per channel: the command's answer is the last one.
      if (reply[2] !== this.options.subscribe.length) return;
    }
    this.pending.shift()?.resolve(reply);
  }

  private state(up: boolean, why: string): void {
    if (this.wasUp === up) return;
    this.wasUp = up;
    this.options.onState?.(up, why);
  }
}

function encodeCommand(args: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.from(arg, 'utf8');
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** RESP2 replies from a byte stream; bulk strings are decoded as UTF-8. */
export class RespParser {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Reply[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const replies: Reply[] = [];
    let offset = 0;
    for (;;) {
      const parsed = this.parse(offset);
      if (parsed === null) break;
      replies.push(parsed[0]);
      offset = parsed[1];
    }
    this.buffer = offset === 0 ? this.buffer : this.buffer.subarray(offset);
    return replies;
  }

  private parse(offset: number): [Reply, number] | null {
    const buffer = this.buffer;
    if (offset >= buffer.length) return null;
    const end = buffer.indexOf('\r\n', offset);
    if (end === -1) return null;
    const type = String.fromCharCode(buffer[offset]!);
    const line = buffer.toString('utf8', offset + 1, end);
    const next = end + 2;
    switch (type) {
      case '+':
        return [line, next];
      case '-':
        return [new Error(line), next];
      case ':':
        return [Number(line), next];
      case '$': {
        const length = Number(line);
        if (length < 0) return [null, next];
        if (buffer.length < next + length + 2) return null;
        return [buffer.toString('utf8', next, next + length), next + length + 2];
      }
      case '*': {
        const count = Number(line);
        if (count < 0) return [null, next];
        const items: Reply[] = [];
        let at = next;
        for (let i = 0; i < count; i++) {
          const item = this.parse(at);
          if (item === null) return null;
          items.push(item[0]);
          at = item[1];
        }
        return [items, at];
      }
      default:
        throw new Error(`not a RESP reply (type byte ${JSON.stringify(type)})`);
    }
  }
}
