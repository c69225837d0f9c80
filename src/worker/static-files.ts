// Static files from the public folder, answered before the app or the routes. `send` (what
// serve-static and Express use) does the HTTP part: ETag and Last-Modified with 304, Range with
// 206 and 416, HEAD, Content-Type. This file decides which file, if any, a URL names, and
// refuses everything that must never leave the folder; a request it does not serve goes on to
// the app untouched, so a denied name looks exactly like a missing one.
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import fresh from 'fresh';
import mime from 'mime-types';
import send from 'send';
import type { StaticConfig } from '../config/types.js';
import { ConfigError } from '../errors/index.js';
import { OpenFileCache, type FoundFile, type Lookup } from './open-file-cache.js';
import { PublicNames } from './public-names.js';

export interface StaticFiles {
  /** true when it answered the request; false when the request goes on to the app untouched. */
  serve(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Stops watching the folder; safe to call twice. */
  close(): void;
}

const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

/** The handler for the configured folder, or null when static files are off (or the default folder is absent). */
export function staticFiles(config: StaticConfig | null, root: string, source: string): StaticFiles | null {
  if (!config) return null;
  let dir: string;
  try {
    dir = fs.realpathSync(path.resolve(root, config.dir));
    if (!fs.statSync(dir).isDirectory()) throw new Error('not a directory');
  } catch {
    if (!config.required) return null;
    throw new ConfigError(source, `"publicDir" names ${config.dir}, which is not a folder under ${root}.`);
  }
  const denied = denyMatcher(config.deny);
  const names = new PublicNames(dir);
  const cache = config.fileCache ? new OpenFileCache(config.fileCache) : null;
  const folder: Folder = {
    dir,
    denied,
    cache,
    // The key is the path below the folder as asked (segments joined by "/").
    find: (segments) => {
      const look = () => insideFile(dir, segments, denied);
      return cache ? cache.lookup(segments.join('/'), look) : look();
    },
  };
  return {
    serve: (req, res) => serveStatic(req, res, folder, config, names),
    close: () => names.close(),
  };
}

interface Folder {
  dir: string;
  denied: (name: string) => boolean;
  cache: OpenFileCache | null;
  find(segments: string[]): Promise<Lookup>;
}

async function serveStatic(req: IncomingMessage, res: ServerResponse, folder: Folder, config: StaticConfig, names: PublicNames): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (!mayNameAFile(req.url ?? '/', names, config.index)) return false;
  const segments = safeSegments(req.url ?? '/', folder.denied);
  if (!segments) return false;
  let file = await folder.find(segments);
  if (file === 'directory') {
    if (!config.index) return false;
    if (!(req.url ?? '/').split('?', 1)[0]!.endsWith('/')) return redirectToSlash(req, res, segments);
    file = await folder.find([...segments, config.index]);
  }
  if (!file || file === 'directory') return false;
  const chosen = config.precompressed ? await precompressed(req, folder, file) : null;
  res.setHeader('Cache-Control', config.cacheControl);
  if (config.precompressed) res.setHeader('Vary', 'Accept-Encoding');
  if (chosen) {
    res.setHeader('Content-Type', mime.contentType(path.extname(file.real)) || 'application/octet-stream');
    res.setHeader('Content-Encoding', chosen.encoding);
  }
  const served = chosen?.file ?? file;
  if (folder.cache && (await fromMemory(req, res, folder, served))) return true;
  // Everything was checked above; send may allow the dot-files we already refused by name.
  send(req, `/${served.key.split('/').map(encodeURIComponent).join('/')}`, { root: folder.dir, dotfiles: 'allow', index: false, cacheControl: false }).pipe(res);
  return true;
}

/**
 * Answers a plain GET or HEAD of a small file from the cache, with the headers `send` would
 * give (ETag in the form of the `etag` package that send uses, Last-Modified, Accept-Ranges,
 * Content-Type, and a 304 decided by `fresh`, as send decides it). Ranges and the
 * preconditions that can answer 412 are left to send; so are files too big to keep.
 */
async function fromMemory(req: IncomingMessage, res: ServerResponse, folder: Folder, served: FoundFile): Promise<boolean> {
  const h = req.headers;
  if (h.range !== undefined || h['if-match'] !== undefined || h['if-unmodified-since'] !== undefined) return false;
  const hit = await folder.cache!.contents(served.key, () => folder.find(served.key.split('/')));
  if (!hit) return false;
  const { file, body } = hit;
  const { etag, lastModified } = file;
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Last-Modified', lastModified);
  res.setHeader('ETag', etag);
  if (!res.hasHeader('Content-Type')) res.setHeader('Content-Type', mime.contentType(path.extname(file.real)) || 'application/octet-stream');
  if ((h['if-none-match'] !== undefined || h['if-modified-since'] !== undefined) && fresh(h, { etag, 'last-modified': lastModified })) {
    for (const name of ['Content-Encoding', 'Content-Language', 'Content-Length', 'Content-Range', 'Content-Type']) res.removeHeader(name);
    res.statusCode = 304;
    res.end();
    return true;
  }
  res.setHeader('Content-Length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

const SLASH = 0x2f;
const QUESTION_MARK = 0x3f;

/**
 * false when the request-target cannot name a file we serve, decided without a syscall: its first
 * segment is no name at the top of the folder (or, for "/", the index file is not there or index
 * is off). Only a certain "no" returns false; anything unusual is left to the full check. The
 * common case is one scan up to the next "/" or "?" and a Set lookup; a segment is decoded only
 * when it holds a "%".
 */
export function mayNameAFile(target: string, names: { mayHold(name: string): boolean }, index: string | null): boolean {
  // Empty segments are skipped as safeSegments skips them: "//app.js" names app.js.
  let start = 0;
  while (start < target.length && target.charCodeAt(start) === SLASH) start++;
  if (start === 0) return true;
  let end = start;
  while (end < target.length) {
    const c = target.charCodeAt(end);
    if (c === SLASH || c === QUESTION_MARK) break;
    end++;
  }
  // "/" names the folder, so its index file; an index given as a path is looked up by its head.
  if (end === start) return index !== null && names.mayHold(index.split('/').find((s) => s.length > 0) ?? index);
  let first = target.slice(start, end);
  if (first.includes('%')) {
    try {
      first = decodeURIComponent(first);
    } catch {
      return true;
    }
    // An encoded "/" (or worse) changes where the segment ends: let the full check split it.
    if (first.includes('/') || first.includes('\\') || first.includes('\0') || first.length === 0) return true;
  }
  return names.mayHold(first);
}

/**
 * The decoded path segments of a request-target, or null when it cannot name a file we serve:
 * a malformed escape, a null byte, a backslash, "." or "..", a dot-file or a denied name.
 */
function safeSegments(target: string, denied: (name: string) => boolean): string[] | null {
  if (!target.startsWith('/')) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(target.split('?', 1)[0]!);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s.length > 0);
  if (segments.some((s) => s.startsWith('.') || denied(s))) return null;
  return segments;
}

/** A file or folder under dir (its real path, after symlinks), or null when it is absent or leaves dir. */
async function insideFile(dir: string, segments: string[], denied: (name: string) => boolean): Promise<Lookup> {
  try {
    const real = await fs.promises.realpath(path.join(dir, ...segments));
    if (real !== dir && !real.startsWith(dir + path.sep)) return null;
    // A symlink inside the folder may point at a dot-file or a denied name: check where it lands.
    if (path.relative(dir, real).split(path.sep).some((s) => s.startsWith('.') || denied(s))) return null;
    const stat = await fs.promises.stat(real);
    if (stat.isDirectory()) return 'directory';
    if (!stat.isFile()) return null;
    // The ETag in the form of the `etag` package, which send uses: the same file gets the same tag either way.
    const etag = `W/"${stat.size.toString(16)}-${stat.mtime.getTime().toString(16)}"`;
    const key = path.relative(dir, real).split(path.sep).join('/');
    return { real, key, size: stat.size, mtime: stat.mtime, ino: stat.ino, etag, lastModified: stat.mtime.toUTCString() };
  } catch {
    return null;
  }
}

/** file.br or file.gz when the client accepts that encoding (q > 0) and the sibling is there. */
async function precompressed(req: IncomingMessage, folder: Folder, file: FoundFile): Promise<{ file: FoundFile; encoding: string } | null> {
  if (req.headers['accept-encoding'] === undefined) return null;
  const accepted = acceptedEncodings(req.headers['accept-encoding']);
  for (const { name, suffix } of ENCODINGS) {
    if (!accepted.has(name)) continue;
    const sibling = await folder.find(path.relative(folder.dir, file.real + suffix).split(path.sep));
    if (sibling && sibling !== 'directory') return { file: sibling, encoding: name };
  }
  return null;
}

function acceptedEncodings(header: string | undefined): Set<string> {
  const accepted = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q && Number(q.slice(2)) === 0)) accepted.add(name);
  }
  if (accepted.has('*')) for (const { name } of ENCODINGS) accepted.add(name);
  return accepted;
}

// The Location is rebuilt from the checked segments, never from the raw target: "//evil.example"
// naming a folder must not become an open redirect to another host.
function redirectToSlash(req: IncomingMessage, res: ServerResponse, segments: string[]): boolean {
  const query = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?')) : '';
  res.statusCode = 301;
  res.setHeader('Location', `/${segments.map(encodeURIComponent).join('/')}/${query}`);
  res.setHeader('Content-Length', 0);
  res.end();
  return true;
}

/** "*.ext" matches a suffix, "prefix*" a prefix, anything else the whole name; case-insensitive. */
export function denyMatcher(patterns: readonly string[]): (name: string) => boolean {
  const rules = patterns.map((p) => p.toLowerCase());
  return (name) => {
    const n = name.toLowerCase();
    return rules.some((rule) => {
      if (rule.startsWith('*')) return n.endsWith(rule.slice(1));
      if (rule.endsWith('*')) return n.startsWith(rule.slice(0, -1));
      if (rule.includes('*')) {
        const [head = '', tail = ''] = rule.split('*', 2);
        return n.startsWith(head) && n.endsWith(tail) && n.length >= head.length + tail.length;
      }
      return n === rule;
    });
  };
}
