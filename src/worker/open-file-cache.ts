// What a static file request looked up on disk, kept for a short validity (nginx's
// open_file_cache, open_file_cache_valid and open_file_cache_errors): the checked real path
// and stat of a file (or "a folder", or "nothing there"), and the contents of small files.
// Profiled (issue 14, notes/s3-hotstatic.md): a 12-byte file cost a worker about 560-1,060 µs
// of CPU per keep-alive request against 42-70 µs for the app path, nearly all of it six trips
// through libuv's thread pool (realpath, stat, then send's stat, open, read, close) and a
// streamed response. A hit within the validity costs no syscall at all.
//
// Freshness: an entry older than `validMs` is looked up again in full (realpath, the checks
// around it, stat) before it answers; a file changed, deleted or replaced by a symlink leaving
// the folder is therefore seen within `validMs`. Bounds: at most `maxEntries` entries and
// `maxBytes` of contents (files above `maxFileBytes` keep only their stat), the oldest first out.
import fs from 'node:fs';

export interface OpenFileCacheLimits {
  /** How long a lookup answers without looking at the disk again, in ms. */
  validMs: number;
  maxEntries: number;
  /** Contents kept in total, in bytes. */
  maxBytes: number;
  /** Larger files keep their stat only; their contents come from disk through `send`. */
  maxFileBytes: number;
}

export interface FoundFile {
  /** The real path, checked to be inside the folder and allowed. */
  real: string;
  /** The real path below the folder, segments joined by "/": its key in the cache. */
  key: string;
  size: number;
  mtime: Date;
  ino: number;
  /** Headers worked out once per lookup rather than once per request (they were 4 % of a worker's CPU). */
  etag: string;
  lastModified: string;
}

export type Lookup = FoundFile | 'directory' | null;

interface Entry {
  checkedAt: number;
  found: Lookup;
  /** The contents, when the file is small enough and was asked for; read from the same fd as its stat. */
  body: Buffer | null;
}

export class OpenFileCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    readonly limits: OpenFileCacheLimits,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  /** `look` is the full lookup (realpath and every check, then stat), run when `key` has no valid entry. */
  async lookup(key: string, look: () => Promise<Lookup>): Promise<Lookup> {
    return (await this.entry(key, look)).found;
  }

  /**
   * The file and its contents when it is small enough to keep, else null (serve it from disk).
   * The contents are read from one open file (O_NOFOLLOW: the real path's last step cannot have
   * become a symlink since it was checked) and must match the stat the lookup saw.
   */
  async contents(key: string, look: () => Promise<Lookup>): Promise<{ file: FoundFile; body: Buffer } | null> {
    const entry = await this.entry(key, look);
    const file = entry.found;
    if (!file || file === 'directory' || file.size > this.limits.maxFileBytes || file.size > this.limits.maxBytes) return null;
    if (entry.body) return { file, body: entry.body };
    const body = await readSame(file);
    if (!body || this.entries.get(key) !== entry) return body ? { file, body } : null;
    entry.body = body;
    this.bytes += body.length;
    this.evict();
    return { file, body };
  }

  private async entry(key: string, look: () => Promise<Lookup>): Promise<Entry> {
    const now = this.now();
    const cached = this.entries.get(key);
    if (cached && now - cached.checkedAt < this.limits.validMs) return cached;
    const found = await look();
    // Unchanged on disk: keep the contents read before, valid for another period.
    if (cached && this.entries.get(key) === cached && sameFile(cached.found, found)) {
      cached.checkedAt = now;
      return cached;
    }
    if (cached) this.drop(key);
    const entry: Entry = { checkedAt: now, found, body: null };
    this.entries.set(key, entry);
    this.evict();
    return entry;
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.bytes -= entry.body?.length ?? 0;
    this.entries.delete(key);
  }

  /** Oldest first (a Map keeps insertion order), until both bounds hold. */
  private evict(): void {
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes) return;
      this.drop(key);
    }
  }
}

function sameFile(a: Lookup, b: Lookup): boolean {
  if (a === null || b === null || a === 'directory' || b === 'directory') return a === b;
  return a.real === b.real && a.ino === b.ino && a.size === b.size && a.mtime.getTime() === b.mtime.getTime();
}

/** The file's contents if it is still the file that was looked up (same inode, size and mtime), else null. */
async function readSame(file: FoundFile): Promise<Buffer | null> {
  let handle: fs.promises.FileHandle | null = null;
  try {
    handle = await fs.promises.open(file.real, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const stat = await handle.stat();
    if (!stat.isFile() || stat.ino !== file.ino || stat.size !== file.size || stat.mtime.getTime() !== file.mtime.getTime()) return null;
    const body = Buffer.allocUnsafe(file.size);
    let read = 0;
    while (read < body.length) {
      const { bytesRead } = await handle.read(body, read, body.length - read, read);
      if (bytesRead === 0) return null; // shrank under us
      read += bytesRead;
    }
    return body;
  } catch {
    return null;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
