// The public API for user code: config typing helpers and the shapes drover passes to apps.
export type { ServiceConfig } from '../config/types.js';
export type { ServiceStatus, WorkerStatus } from '../protocol/status.js';
export type { WorkerContext, ActionContext } from '../worker/context.js';
export type { GatewayApi, Handshake, PushData, WsActionContext, WsCloseContext, WsConnectContext } from '../ws/api.js';
export { createGateway, gateway, type GatewayClient, type GatewayClientOptions } from '../ws/push-client.js';

/** The options a config/worker_<name>.js file may export (validated at load; see README). */
export interface ServiceOptions {
  name?: string;
  listen?: string;
  count?: number | 'auto';
  reloadable?: boolean;
  stopTimeout?: number;
  readyTimeout?: number;
  maxRequests?: number;
  maxRequestsJitter?: number;
  maxMemory?: number;
  maxBootFailures?: number;
  hungTimeout?: number;
  backoff?: { initialMs?: number; maxMs?: number; resetAfterMs?: number };
  schedulingPolicy?: 'rr' | 'none';
  env?: Record<string, string>;
  logFile?: string;
  tls?: { cert: string; key: string };
  app?: string;
  handler?: string;
  keepAliveTimeout?: number;
  requestTimeout?: number;
  headersTimeout?: number;
  maxHeaderSize?: number;
  gateway?: { count?: number | 'auto' };
  business?: { count?: number | 'auto' };
  heartbeat?: { interval?: number; timeout?: number };
  maxPayload?: number;
  allowedOrigins?: string[];
  maxBufferedAmount?: number;
  closeSpreadMs?: number;
  /** Pushes across hosts: a redis:// or rediss:// URL, or an object for a CA file or Redis Sentinel (docs/websocket.md). */
  redis?: string | RedisOptions;
  /** Prometheus metrics and the live page on this address (a port, or "host:port"; host 127.0.0.1 by default). */
  metrics?: { listen: string | number; historySeconds?: number };
}

/** The object form of "redis": one node by URL with TLS options, or a Sentinel group. */
export type RedisOptions =
  | { url: string; tls?: RedisTlsOptions; prefix?: string }
  | {
      sentinels: string[];
      name: string;
      username?: string;
      password?: string;
      sentinelUsername?: string;
      sentinelPassword?: string;
      db?: number;
      prefix?: string;
      tls?: RedisTlsOptions;
    };

export interface RedisTlsOptions {
  /** A PEM file of the CA that signed the Redis certificate, relative to the project root. */
  ca?: string;
  rejectUnauthorized?: boolean;
}

/** Identity function that gives a config file its types: `export default defineService({...})`. */
export function defineService(options: ServiceOptions): ServiceOptions {
  return options;
}

/** The options config/worker_process.js may export. */
export interface ProcessOptions {
  hotReload?: {
    enabled?: boolean;
    inDaemon?: boolean;
    paths?: string[];
    extensions?: string[];
    ignore?: string[];
    debounceMs?: number;
  };
  build?: { outDir?: string };
}
