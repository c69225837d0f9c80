// The validated, frozen shape of a service config. Files in config/ are user input; this is
// what the rest of drover sees after src/config/validate.ts has checked every key.
import type { RedisConfig } from './redis.js';

export type ServiceKind = 'http' | 'ws' | 'custom';
export type SchedulingPolicy = 'rr' | 'none';

export interface ListenAddress {
  url: string;
  protocol: 'http' | 'https' | 'ws' | 'wss';
  host: string;
  port: number;
}

export interface BackoffConfig {
  /** First respawn delay after a crash, in ms. Doubles per consecutive failure. */
  initialMs: number;
  /** Longest respawn delay, in ms. */
  maxMs: number;
  /** A worker that stays up this long (ms) resets its failure count. */
  resetAfterMs: number;
}

export interface TlsConfig {
  cert: string;
  key: string;
}

export interface MetricsConfig {
  /** Where the master serves /metrics (Prometheus text), the live page and its JSON; loopback unless the user says otherwise. */
  host: string;
  port: number;
  /** Seconds of one-per-second samples the master keeps for the live page. */
  historySeconds: number;
}

interface CommonConfig {
  service: string;
  /** The file this came from, relative to the project root (for messages). */
  source: string;
  name: string;
  listen: ListenAddress | null;
  count: number;
  reloadable: boolean;
  /** ms a worker may take to drain before it is killed. */
  stopTimeout: number;
  /** ms a new worker may take to listen and run its start hooks. */
  readyTimeout: number;
  /** Recycle a worker after this many requests (0 = never). */
  maxRequests: number;
  /** Up to this many extra requests, drawn per worker, so workers don't recycle together. */
  maxRequestsJitter: number;
  /** Recycle a worker whose RSS exceeds this many bytes (0 = never). */
  maxMemory: number;
  /** A worker that answers no ping for this many ms is shown busy, then replaced (0 = never). */
  hungTimeout: number;
  /** Consecutive boot failures of one worker before the service is marked errored. */
  maxBootFailures: number;
  backoff: BackoffConfig;
  schedulingPolicy: SchedulingPolicy;
  env: Readonly<Record<string, string>>;
  logFile: string | null;
  /** "text" (people) or "json" (one JSON object per line, for log shippers). */
  logFormat: 'text' | 'json';
  /** Rotate the log file when it reaches this many bytes (0 = never; logrotate may do it instead). */
  logMaxSize: number;
  /** Rotated files kept beside the log (`<logFile>.1` is the newest). */
  logMaxFiles: number;
  tls: TlsConfig | null;
  /** Prometheus metrics and the live page, opt-in; null = off. */
  metrics: MetricsConfig | null;
  /**
   * The V8 inspector, only when asked: the first of the 127.0.0.1 ports the workers' inspectors
   * listen on (two per worker, see the README), or null (the default: no inspector, and
   * SIGUSR1 cannot open one).
   */
  inspect: number | null;
}

export interface HttpServiceConfig extends CommonConfig {
  kind: 'http';
  /** Module whose default export is a request listener or { fetch }; null = convention routing. */
  app: string | null;
  keepAliveTimeout: number;
  requestTimeout: number;
  headersTimeout: number;
  maxHeaderSize: number;
  /** Static files (served before the app or the routes); null = off. */
  static: StaticConfig | null;
}

export interface StaticConfig {
  /** The folder, relative to the project root. */
  dir: string;
  /** true when "publicDir" was set: a missing folder then fails the boot instead of turning static files off. */
  required: boolean;
  /** Names never served (besides dot-files): "*.ext", "name", "prefix*". */
  deny: readonly string[];
  /** Cache-Control of every static response. */
  cacheControl: string;
  /** File served for a folder's URL ending in "/"; null = none. */
  index: string | null;
  /** Serve file.br / file.gz instead of file to a client that accepts br / gzip. */
  precompressed: boolean;
  /** What lookups and small files' contents are kept for, and how many (nginx's open_file_cache); null = off. */
  fileCache: StaticFileCacheConfig | null;
}

export interface StaticFileCacheConfig {
  /** A lookup answers from memory this long (ms); after it, the disk is asked again. */
  validMs: number;
  maxEntries: number;
  /** Contents kept in total (bytes). */
  maxBytes: number;
  /** Files up to this size (bytes) are kept whole; larger ones keep their stat only. */
  maxFileBytes: number;
}

export interface WsServiceConfig extends CommonConfig {
  kind: 'ws';
  gateway: { count: number };
  business: { count: number };
  /** ms: the gateway pings every client this often; one that has not answered the previous ping is dropped. A client silent for `timeout` ms is closed. */
  heartbeat: { interval: number; timeout: number };
  /** Largest message a client may send, in bytes (ws closes with 1009 above it). */
  maxPayload: number;
  /** Origins allowed at the upgrade (others get 403); null = any. */
  allowedOrigins: readonly string[] | null;
  /** A client whose unsent data exceeds this many bytes is dropped (it does not read). */
  maxBufferedAmount: number;
  /** ms over which a stopping gateway spreads its clients' 1001 closes. */
  closeSpreadMs: number;
  /** Pushes and queries reach the gateways of every host sharing this Redis; null = this host only. */
  redis: RedisConfig | null;
}

export interface CustomServiceConfig extends CommonConfig {
  kind: 'custom';
  /** Module exporting onWorkerStart / onWorkerStop. */
  handler: string;
}

export type ServiceConfig = HttpServiceConfig | WsServiceConfig | CustomServiceConfig;
