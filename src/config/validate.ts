// Turns what a config file exported into a frozen ServiceConfig, or throws a ConfigError that
// names the file, the key, the rule and the value. Defaults live here, in one place.
import os from 'node:os';
import { readRedis } from './redis.js';
import { ConfigReader } from './reader.js';
import type {
  BackoffConfig,
  CustomServiceConfig,
  HttpServiceConfig,
  ListenAddress,
  MetricsConfig,
  StaticConfig,
  ServiceConfig,
  TlsConfig,
  WsServiceConfig,
} from './types.js';

const SECOND = 1000;
const MiB = 1024 * 1024;

export function validateServiceConfig(service: string, file: string, raw: unknown): ServiceConfig {
  const r = ConfigReader.root(file, raw);
  const cpus = os.availableParallelism();
  const listen = parseListen(r, defaultListen(service));
  const kind = listen === null ? 'custom' : listen.protocol.startsWith('ws') ? 'ws' : 'http';

  const common = {
    service,
    source: file,
    name: r.string('name', service),
    listen,
    count: r.count('count', kind === 'custom' ? 1 : 2, cpus),
    reloadable: r.boolean('reloadable', true),
    stopTimeout: r.duration('stopTimeout', 10 * SECOND, 0),
    readyTimeout: r.duration('readyTimeout', 30 * SECOND, 1),
    maxRequests: r.integer('maxRequests', 0, 0),
    maxRequestsJitter: r.integer('maxRequestsJitter', 0, 0),
    maxMemory: r.integer('maxMemory', 0, 0, 'bytes'),
    maxBootFailures: r.integer('maxBootFailures', 5, 1),
    hungTimeout: r.duration('hungTimeout', 30 * SECOND, 0),
    backoff: parseBackoff(r),
    schedulingPolicy: r.oneOf('schedulingPolicy', ['rr', 'none'] as const, 'rr'),
    env: r.stringMap('env'),
    logFile: r.string('logFile', null),
    logFormat: r.oneOf('logFormat', ['text', 'json'] as const, 'text'),
    logMaxSize: r.integer('logMaxSize', 0, 0, 'bytes'),
    logMaxFiles: r.integer('logMaxFiles', 5, 1),
    tls: parseTls(r, listen),
    metrics: parseMetrics(r),
    // Worker n's inspector listens on inspect + 2(n-1) or the port after it (README): room for 250 workers.
    inspect: r.portOrFalse('inspect', 1024, 65535 - 500),
  };

  let config: ServiceConfig;
  if (kind === 'http') config = readHttp(r, common);
  else if (kind === 'ws') config = readWs(r, common, cpus);
  else config = readCustom(r, common);
  r.rejectUnknownKeys();
  return deepFreeze(config);
}

type Common = Omit<HttpServiceConfig, 'kind' | 'app' | 'keepAliveTimeout' | 'requestTimeout' | 'headersTimeout' | 'maxHeaderSize' | 'static'>;

/** Source, config and secrets: never served from the public folder, whatever it holds. */
export const DEFAULT_STATIC_DENY = [
  '*.ts', '*.mts', '*.cts', '*.tsx', '*.map', '.env*', 'package.json', 'package-lock.json',
  'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'tsconfig*.json', 'node_modules',
] as const;

function readHttp(r: ConfigReader, common: Common): HttpServiceConfig {
  return {
    ...common,
    kind: 'http',
    app: r.string('app', null),
    keepAliveTimeout: r.duration('keepAliveTimeout', 5 * SECOND, 1),
    requestTimeout: r.duration('requestTimeout', 300 * SECOND, 0),
    headersTimeout: r.duration('headersTimeout', 60 * SECOND, 0),
    maxHeaderSize: r.integer('maxHeaderSize', 16 * 1024, 1024, 'bytes'),
    static: readStatic(r),
  };
}

// "publicDir": a folder, or false for none. Left out, "public" is served when it exists.
function readStatic(r: ConfigReader): StaticConfig | null {
  const dir = r.stringOrFalse('publicDir');
  const options = r.object('static');
  const index = options?.stringOrFalse('index');
  const config: StaticConfig = {
    dir: dir || 'public',
    required: dir !== undefined,
    deny: options?.stringList('deny') ?? DEFAULT_STATIC_DENY,
    cacheControl: options?.string('cacheControl', 'public, max-age=0') ?? 'public, max-age=0',
    index: index === false ? null : (index ?? 'index.html'),
    precompressed: options?.boolean('precompressed', true) ?? true,
    fileCache: readFileCache(options),
  };
  options?.rejectUnknownKeys();
  return dir === false ? null : config;
}

// Defaults: nginx's open_file_cache_valid is 60 s; 1 s keeps an edited or deleted file's
// staleness below what a person notices, and already makes a hot file cost no syscall between
// checks. 8 MiB of contents per worker at most, files up to 64 KiB.
function readFileCache(options: ConfigReader | null): StaticConfig['fileCache'] {
  const defaults = { validMs: 1000, maxEntries: 1000, maxBytes: 8 * 1024 * 1024, maxFileBytes: 64 * 1024 };
  if (options?.peek('fileCache') === false) return (options.boolean('fileCache', false), null);
  const c = options?.object('fileCache');
  if (!c) return defaults;
  const config = {
    validMs: c.duration('validMs', defaults.validMs, 0),
    maxEntries: c.integer('maxEntries', defaults.maxEntries, 1),
    maxBytes: c.integer('maxBytes', defaults.maxBytes, 0, 'bytes'),
    maxFileBytes: c.integer('maxFileBytes', defaults.maxFileBytes, 0, 'bytes'),
  };
  c.rejectUnknownKeys();
  return config.validMs === 0 ? null : config;
}

function readWs(r: ConfigReader, common: Common, cpus: number): WsServiceConfig {
  const gateway = r.object('gateway');
  const business = r.object('business');
  const heartbeat = r.object('heartbeat');
  const config: WsServiceConfig = {
    ...common,
    kind: 'ws',
    gateway: { count: gateway ? gateway.count('count', 2, cpus) : 2 },
    business: { count: business ? business.count('count', 2, cpus) : 2 },
    heartbeat: {
      interval: heartbeat ? heartbeat.duration('interval', 50 * SECOND, 1) : 50 * SECOND,
      timeout: heartbeat ? heartbeat.duration('timeout', 120 * SECOND, 1) : 120 * SECOND,
    },
    maxPayload: r.integer('maxPayload', 1 * MiB, 1, 'bytes'),
    allowedOrigins: r.stringList('allowedOrigins'),
    maxBufferedAmount: r.integer('maxBufferedAmount', 4 * MiB, 1024, 'bytes'),
    closeSpreadMs: r.duration('closeSpreadMs', 1 * SECOND, 0),
    redis: readRedis(r),
  };
  for (const nested of [gateway, business, heartbeat]) nested?.rejectUnknownKeys();
  return config;
}


function readCustom(r: ConfigReader, common: Common): CustomServiceConfig {
  const handler = r.string('handler', null);
  if (handler === null) r.fail('handler', 'a module path (a service without "listen" runs a handler module)', undefined);
  return { ...common, kind: 'custom', handler };
}

function defaultListen(service: string): string | null {
  if (service === 'http') return 'http://0.0.0.0:8000';
  if (service === 'ws') return 'ws://0.0.0.0:2828';
  return null;
}

function parseListen(r: ConfigReader, fallback: string | null): ListenAddress | null {
  const value = r.string('listen', fallback);
  if (value === null) return null;
  const expected = 'a URL like "http://0.0.0.0:8000" (http, https, ws or wss, with a port)';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return r.fail('listen', expected, value);
  }
  const protocol = url.protocol.slice(0, -1);
  if (!['http', 'https', 'ws', 'wss'].includes(protocol) || url.port === '' || url.pathname.length > 1) {
    r.fail('listen', expected, value);
  }
  // URL keeps the brackets of an IPv6 host; listen() wants them off.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { url: value, protocol: protocol as ListenAddress['protocol'], host, port: Number(url.port) };
}

function parseBackoff(r: ConfigReader): BackoffConfig {
  const b = r.object('backoff');
  const config = {
    initialMs: b ? b.duration('initialMs', 100, 1) : 100,
    maxMs: b ? b.duration('maxMs', 30 * SECOND, 1) : 30 * SECOND,
    resetAfterMs: b ? b.duration('resetAfterMs', 30 * SECOND, 1) : 30 * SECOND,
  };
  b?.rejectUnknownKeys();
  return config;
}

/** `metrics: { listen: "127.0.0.1:9100" }` (or a bare port, on 127.0.0.1). */
function parseMetrics(r: ConfigReader): MetricsConfig | null {
  const m = r.object('metrics');
  if (!m) return null;
  const expected = 'a port (9100) or "host:port" ("127.0.0.1:9100", "[::1]:9100")';
  let host = '127.0.0.1';
  let port: number;
  if (m.has('listen') && typeof m.peek('listen') === 'number') {
    port = m.integer('listen', 0, 1);
  } else {
    const value = m.string('listen', null);
    const match = value === null ? null : /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d+)$/.exec(value) ?? /^()()(\d+)$/.exec(value);
    if (!match) return m.fail('listen', expected, value ?? undefined);
    host = match[1] || match[2] || host;
    port = Number(match[3]);
  }
  if (port < 1 || port > 65535) m.fail('listen', expected, port);
  const historySeconds = m.integer('historySeconds', 600, 10, 's');
  if (historySeconds > 86400) m.fail('historySeconds', 'an integer from 10 to 86400 (s)', historySeconds);
  m.rejectUnknownKeys();
  return { host, port, historySeconds };
}

function parseTls(r: ConfigReader, listen: ListenAddress | null): TlsConfig | null {
  const t = r.object('tls');
  const secure = listen?.protocol === 'https' || listen?.protocol === 'wss';
  if (!t) {
    if (secure) r.fail('tls', `an object { cert, key } of file paths for ${listen!.protocol}://`, undefined);
    return null;
  }
  const tls = { cert: t.string('cert', ''), key: t.string('key', '') };
  if (!tls.cert) t.fail('cert', 'the path of a PEM certificate file', undefined);
  if (!tls.key) t.fail('key', 'the path of a PEM private key file', undefined);
  t.rejectUnknownKeys();
  return tls;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
