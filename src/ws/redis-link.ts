// A gateway's two Redis connections (one publishes, one subscribes), through ioredis. The
// library is imported here, on first use: a service without "redis" never loads it (it costs
// about 16 MiB of RSS and 80-370 ms of import in a gateway; docs/websocket.md has the figures).
//
// Nothing here ever waits on Redis for a push: the publishing connection has no offline queue,
// so a PUBLISH while Redis is down or failing over rejects at once and the caller carries on
// with this host only. Both connections reconnect by themselves with back-off; with Sentinel,
// each reconnection asks the sentinels which node is the primary now.
import fs from 'node:fs';
import path from 'node:path';
import type { Redis as RedisClient, RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config/redis.js';

/** Reconnection back-off: 100 ms doubling, at most 5 s. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;
/** A connection attempt (TCP + TLS + AUTH) that takes longer than this counts as failed. */
const CONNECT_TIMEOUT_MS = 2_000;

export interface RedisLinkOptions {
  config: RedisConfig;
  /** The project root: "redis.tls.ca" is relative to it. */
  root: string;
  channels: string[];
  onMessage(channel: string, text: string): void;
  /** Once per change of the pair's state: up when both connections are ready. */
  onState(up: boolean, why: string): void;
  /** A connection is (again) ready, after a start, a reconnection or a failover: time to say "here". */
  onSubscribed(): void;
}

export class RedisLink {
  private pub: RedisClient | null = null;
  private sub: RedisClient | null = null;
  private reported: boolean | null = null;
  private lastWhy = 'not connected yet';
  private closed = false;
  private readonly restarts = new Map<RedisClient, number>();

  constructor(private readonly options: RedisLinkOptions) {}

  get up(): boolean {
    return this.pub?.status === 'ready' && this.sub?.status === 'ready';
  }

  async start(): Promise<void> {
    const { Redis } = await import('ioredis');
    if (this.closed) return;
    const base = connectionOptions(this.options.config, this.options.root);
    const pub = new Redis({ ...base, enableOfflineQueue: false });
    const sub = new Redis({ ...base, enableOfflineQueue: true, autoResubscribe: true });
    this.pub = pub;
    this.sub = sub;
    for (const client of [pub, sub]) {
      // Without an 'error' listener ioredis prints every failed attempt; the state line says it once.
      client.on('error', (error: NodeJS.ErrnoException) => (this.lastWhy = error.code ?? error.message));
      client.on('ready', () => {
        this.lastWhy = 'connection lost'; // what the next close says unless an error says more
        this.restarts.delete(client);
        this.report();
      });
      client.on('close', () => this.report());
      client.on('end', () => this.restart(client));
    }
    sub.on('message', (channel: string, text: string) => this.options.onMessage(channel, text));
    // ioredis resubscribes on a reconnection (autoResubscribe), but not after a restart from
    // 'end' (below): subscribing again is harmless, SUBSCRIBE to a channel twice is one subscription.
    sub.on('ready', () => void this.subscribe(sub));
    pub.on('ready', () => this.options.onSubscribed());
    void this.subscribe(sub);
  }

  private async subscribe(sub: RedisClient): Promise<void> {
    try {
      await sub.subscribe(...this.options.channels);
      this.options.onSubscribed();
    } catch {
      // Not connected: 'ready' subscribes again.
    }
  }

  /**
   * ioredis stops for good (status "end") when a connection attempt is cut short, which its
   * Sentinel failover detector does when the new primary is announced while it is connecting
   * (seen in test/integration/ws-redis-failover.test.ts: a gateway never came back). A link
   * that must outlive any Redis outage starts it again, with the same back-off.
   */
  private restart(client: RedisClient): void {
    if (this.closed) return;
    const attempt = (this.restarts.get(client) ?? 0) + 1;
    this.restarts.set(client, attempt);
    const timer = setTimeout(() => {
      if (!this.closed && client.status === 'end') client.connect().catch(() => undefined);
    }, backoff(attempt));
    timer.unref();
  }

  /** Rejects at once when the publishing connection is not ready (no queue while Redis is away). */
  async publish(channel: string, text: string): Promise<void> {
    if (!this.pub || this.pub.status !== 'ready') throw new Error(`redis is not connected (${this.lastWhy})`);
    await this.pub.publish(channel, text);
  }

  close(): void {
    this.closed = true;
    this.pub?.disconnect();
    this.sub?.disconnect();
  }

  private report(): void {
    if (this.closed) return;
    const up = this.up;
    if (up === this.reported || (!up && this.reported === null && this.lastWhy === 'not connected yet')) return;
    this.reported = up;
    this.options.onState(up, this.lastWhy);
  }
}

function connectionOptions(config: RedisConfig, root: string): RedisOptions {
  const tls = config.tls
    ? {
        ca: config.tls.ca === null ? undefined : fs.readFileSync(path.resolve(root, config.tls.ca)),
        rejectUnauthorized: config.tls.rejectUnauthorized,
      }
    : undefined;
  const common: RedisOptions = {
    db: config.db,
    username: config.username ?? undefined,
    password: config.password ?? undefined,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // A command is never retried on another connection: a push is either sent now or lost.
    maxRetriesPerRequest: 0,
    retryStrategy: backoff,
    lazyConnect: false,
    // Only what the relay needs may be granted to its ACL user: PUBLISH, SUBSCRIBE, UNSUBSCRIBE,
    // PING and INFO (the ready check, which also tells a primary from a replica). No CLIENT SETINFO.
    disableClientInfo: true,
  };
  if (config.target.kind === 'node') return { ...common, host: config.target.node.host, port: config.target.node.port, tls };
  return {
    ...common,
    sentinels: config.target.sentinels.map(({ host, port }) => ({ host, port })),
    name: config.target.name,
    sentinelUsername: config.sentinelUsername ?? undefined,
    sentinelPassword: config.sentinelPassword ?? undefined,
    tls,
    enableTLSForSentinelMode: tls !== undefined,
    sentinelTLS: tls,
    sentinelRetryStrategy: backoff,
    // Disconnect from a primary as soon as the sentinels announce a new one (+switch-master),
    // instead of waiting for the old one to fail: pushes move to the promoted replica sooner.
    failoverDetector: true,
  };
}

function backoff(attempt: number): number {
  return Math.min(RETRY_MIN_MS * 2 ** Math.min(attempt - 1, 16), RETRY_MAX_MS);
}
