// The "redis" key of a WebSocket service: one Redis node by URL, or a Sentinel group.
// Read here, at the config layer, into a plain description; the client library that connects
// to it is loaded by the gateway only when this key is set.
//
//   redis: 'redis://[user:password@]host[:port][/db][?prefix=name]'      one node
//   redis: 'rediss://…'                                                  the same over TLS (system CAs)
//   redis: { url: 'rediss://…', tls: { ca: 'tls/ca.pem' } }             TLS with a CA file
//   redis: { sentinels: ['10.0.0.1:26379', …], name: 'mymaster',        Redis Sentinel
//            username, password, sentinelUsername, sentinelPassword, db, prefix, tls }
import type { ConfigReader } from './reader.js';

export interface RedisEndpoint {
  host: string;
  port: number;
}

export interface RedisConfig {
  /** One node, or the sentinels to ask which node is the primary of `name`. */
  target: { kind: 'node'; node: RedisEndpoint } | { kind: 'sentinel'; sentinels: RedisEndpoint[]; name: string };
  db: number;
  /** ACL user and password of the data nodes (AUTH); null when not set. */
  username: string | null;
  password: string | null;
  sentinelUsername: string | null;
  sentinelPassword: string | null;
  /** TLS to the data nodes (and the sentinels): null = plain TCP. `ca` is a PEM path relative to the project root. */
  tls: { ca: string | null; rejectUnauthorized: boolean } | null;
  /** Channel names start with it (default "drover"): several applications may share one Redis. */
  prefix: string;
  /** For log lines and messages: where, never who or with what password. */
  display: string;
}

const PREFIX = /^[A-Za-z0-9_.:-]{1,64}$/;
const URL_SHAPE = 'a URL like "redis://127.0.0.1:6379" (rediss:// for TLS; optionally user:password@, /db, ?prefix=name)';

/**
 * A URL fit for a message or a log: the password (and a user given without one) replaced by
 * ***. The credentials end at the LAST "@" of the string, since a password may hold an
 * unencoded "@" (or "/"): masking up to the first one would print the rest of the password.
 */
export function maskRedisUrl(value: string): string {
  const scheme = value.indexOf('://');
  const at = value.lastIndexOf('@');
  if (scheme === -1 || at < scheme) return value;
  const auth = value.slice(scheme + 3, at);
  const colon = auth.indexOf(':');
  const shown = colon === -1 ? '***' : `${auth.slice(0, colon)}:***`;
  return `${value.slice(0, scheme + 3)}${shown}${value.slice(at)}`;
}

interface ParsedUrl {
  tls: boolean;
  node: RedisEndpoint;
  db: number;
  username: string | null;
  password: string | null;
  prefix: string;
}

/** Parses a redis:// or rediss:// URL, or null when it is not one drover accepts. */
export function parseRedisUrl(value: string): ParsedUrl | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') return null;
  const port = url.port === '' ? 6379 : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  if (url.pathname.length > 1 && !/^\/\d{1,5}$/.test(url.pathname)) return null;
  const prefix = url.searchParams.get('prefix') ?? 'drover';
  if (!PREFIX.test(prefix)) return null;
  for (const key of url.searchParams.keys()) if (key !== 'prefix') return null;
  let username: string | null;
  let password: string | null;
  try {
    username = url.username === '' ? null : decodeURIComponent(url.username);
    password = url.password === '' ? null : decodeURIComponent(url.password);
  } catch {
    return null;
  }
  return {
    tls: url.protocol === 'rediss:',
    node: { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port },
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    username,
    password,
    prefix,
  };
}

/** Reads "redis" (a URL or an object), or null when it is not set. */
export function readRedis(r: ConfigReader): RedisConfig | null {
  const raw = r.peek('redis');
  if (raw === undefined || raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    const url = r.string('redis', null);
    return url === null ? null : fromUrl(r, 'redis', url, null);
  }
  const o: ConfigReader = r.object('redis')!;
  const url = o.string('url', null);
  const sentinels = o.stringList('sentinels');
  const tls = readTls(o);
  let config: RedisConfig;
  if (url !== null) {
    if (sentinels !== null) o.fail('sentinels', 'absent when "redis.url" is set (one or the other)', sentinels);
    config = fromUrl(o, 'url', url, tls);
  } else {
    if (sentinels === null || sentinels.length === 0) return o.fail('sentinels', 'a non-empty array of "host:port" (or give "redis.url")', sentinels);
    const name = o.string('name', null);
    if (name === null || name === '') return o.fail('name', "the Sentinel master group's name (e.g. \"mymaster\")", name);
    const endpoints = sentinels.map((s, i) => endpoint(s) ?? o.fail(`sentinels[${i}]`, 'a "host:port"', s));
    config = {
      target: { kind: 'sentinel', sentinels: endpoints, name },
      db: o.integer('db', 0, 0),
      username: o.string('username', null),
      password: o.string('password', null),
      sentinelUsername: o.string('sentinelUsername', null),
      sentinelPassword: o.string('sentinelPassword', null),
      tls,
      prefix: 'drover',
      display: `sentinel ${name}@${sentinels.join(',')}`,
    };
  }
  const prefix = o.string('prefix', null);
  if (prefix !== null) {
    if (!PREFIX.test(prefix)) o.fail('prefix', 'letters, digits and _.:- (1 to 64)', prefix);
    config.prefix = prefix;
  }
  if (url !== null) {
    for (const key of ['username', 'password', 'db'] as const) if (o.has(key)) o.fail(key, 'given in "redis.url" when "redis.url" is set', '***');
  }
  o.rejectUnknownKeys();
  return config;
}

function fromUrl(r: ConfigReader, key: string, value: string, tls: RedisConfig['tls']): RedisConfig {
  const parsed = parseRedisUrl(value);
  // Never echo a password into a terminal or a log.
  if (parsed === null) r.fail(key, URL_SHAPE, maskRedisUrl(value));
  if (tls && !parsed.tls) r.fail(key, 'a rediss:// URL when "redis.tls" is set', maskRedisUrl(value));
  const { host, port } = parsed.node;
  return {
    target: { kind: 'node', node: parsed.node },
    db: parsed.db,
    username: parsed.username,
    password: parsed.password,
    sentinelUsername: null,
    sentinelPassword: null,
    tls: tls ?? (parsed.tls ? { ca: null, rejectUnauthorized: true } : null),
    prefix: parsed.prefix,
    display: `${parsed.tls ? 'rediss' : 'redis'}://${host.includes(':') ? `[${host}]` : host}:${port}`,
  };
}

function readTls(o: ConfigReader): RedisConfig['tls'] {
  if (!o.has('tls')) return null;
  const t = o.object('tls');
  if (t === null) return null;
  const tls = { ca: t.string('ca', null), rejectUnauthorized: t.boolean('rejectUnauthorized', true) };
  t.rejectUnknownKeys();
  return tls;
}

function endpoint(text: string): RedisEndpoint | null {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (!match) return null;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return null;
  return { host: (match[1] ?? match[2])!, port };
}
