// Where log lines end up: a file (daemon mode) or an inherited descriptor (stdout/stderr in
// the foreground). Every write is asynchronous and bounded, and a failed write never throws:
// console.log on a file or pipe is a stream whose ENOSPC/EPIPE are unhandled 'error' events
// (DESIGN gotcha 8), the reason a full disk used to kill the master. Here a failed batch is
// dropped and its lines counted per source; the next batch tries again, so logging resumes by
// itself when the disk has room.
//
// One pump does everything in order: writes, reopen requests (SIGUSR1, `reopen-logs`) and
// rotation at `maxSize`. Nothing else touches the descriptor.
import fs from 'node:fs';
import path from 'node:path';

/** Above this many bytes waiting, writers are asked to hold (the master pauses the worker's pipe). */
const HIGH_WATER = 1024 * 1024;
/** Past this, lines are dropped (only the master's own lines can get here: pipes were paused). */
const HARD_LIMIT = 8 * 1024 * 1024;
/** One write(2) carries at most this much. */
const BATCH_BYTES = 256 * 1024;
/**
 * Lines wait at most this long for the next write(2). Each write goes through the thread pool,
 * and that round trip (a futex wake there, an eventfd wake back) was the master's main cost
 * under a chatty app: with a write per loop turn, 15k lines/s took ~5k writes/s and ~14k futex
 * calls/s, 22-28 µs of master CPU per line (bench scenario logs-chatty). A few ms makes it ~200
 * writes/s whatever the rate, and keeps `logs -f` and the crash tail prompt.
 */
export const WRITE_WINDOW_MS = 5;
/** A descriptor that says EAGAIN (a non-blocking terminal or pipe that is full) is tried again after this. */
const EAGAIN_RETRY_MS = 20;
const NEWLINE = Buffer.from('\n');

export type SinkTarget = { kind: 'file'; path: string; maxSize: number; maxFiles: number } | { kind: 'fd'; fd: number; name: string };

export interface WriteError {
  code: string;
  at: string;
}

interface Entry {
  text: string | Buffer;
  bytes: number;
  lines: number;
  /** Who wrote it (a slot id, or 0 for the master), for the dropped counts. */
  source: number;
}

export class LogSink {
  /** Lines dropped because a write failed or the queue was full, by source (slot id, 0 = master). */
  readonly dropped = new Map<number, number>();
  lastError: WriteError | null = null;
  /** Called on the first write that works after failed ones, with how many lines were lost meanwhile. */
  onRecovered: ((dropped: number, error: WriteError) => void) | null = null;
  /** While writes fail: the first failure and the dropped total before it. */
  private failing: { error: WriteError; droppedBefore: number } | null = null;
  private fd: number;
  private size = 0;
  private queue: Entry[] = [];
  private pending = 0;
  private pumping = false;
  /** A failed write may have left half a line: the next one starts on a fresh line. */
  private brokenLine = false;
  private readonly reopenWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private readonly drainWaiters = new Set<() => void>();
  private closed = false;
  /** close() is waiting: no more windows, write what is queued at once. */
  private closing = false;

  constructor(readonly target: SinkTarget) {
    if (target.kind === 'file') {
      this.fd = openLog(target.path);
      this.size = fs.fstatSync(this.fd).size;
    } else this.fd = target.fd;
  }

  /** Where the lines go, for status: a file path, or "stdout"/"stderr". */
  get name(): string {
    return this.target.kind === 'file' ? this.target.path : this.target.name;
  }

  /** Queues `text` (whole lines). False when the writer should hold until onDrain. */
  write(text: string, lines: number, source: number): boolean {
    if (this.closed) return true;
    const bytes = Buffer.byteLength(text);
    if (this.pending + bytes > HARD_LIMIT) {
      this.countDropped(source, lines);
      return false;
    }
    this.queue.push({ text, bytes, lines, source });
    this.pending += bytes;
    this.kick();
    return this.pending < HIGH_WATER;
  }

  /** Calls `fn` once, when the queue is below the high-water mark again. */
  onDrain(fn: () => void): void {
    if (this.pending < HIGH_WATER) fn();
    else this.drainWaiters.add(fn);
  }

  /** Closes the file and opens its path again (after logrotate moved it). A no-op on stdout/stderr. */
  reopen(): Promise<void> {
    if (this.target.kind !== 'file') return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.reopenWaiters.push({ resolve, reject });
      this.kick();
    });
  }

  /** Writes what is queued (waiting at most `timeoutMs`), then closes a file it opened. */
  async close(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.closing = true;
    while ((this.pending > 0 || this.pumping) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    this.closed = true;
    if (this.target.kind === 'file') fs.close(this.fd, () => undefined);
  }

  totalDropped(): number {
    let n = 0;
    for (const v of this.dropped.values()) n += v;
    return n;
  }

  private kick(): void {
    if (this.pumping) return;
    this.pumping = true;
    // The lines that arrive within the window go out in one write(2); a reopen, a full batch or
    // a close does not wait.
    const now = this.reopenWaiters.length > 0 || this.pending >= BATCH_BYTES || this.closing;
    void new Promise((resolve) => (now ? setImmediate(resolve) : setTimeout(resolve, WRITE_WINDOW_MS)))
      .then(() => this.pump())
      .finally(() => {
        this.pumping = false;
        if (this.reopenWaiters.length > 0 || (this.queue.length > 0 && !this.closed)) this.kick();
      });
  }

  /** Writes what the window gathered; what arrives while a write is under way waits for the next window. */
  private async pump(): Promise<void> {
    let wrote = false;
    for (;;) {
      if (this.reopenWaiters.length > 0) {
        await this.reopenNow(this.reopenWaiters.splice(0));
        continue;
      }
      if (this.queue.length === 0 || this.closed) return;
      if (wrote && this.pending < BATCH_BYTES && !this.closing) return;
      await this.writeBatch();
      wrote = true;
      if (this.target.kind === 'file' && this.target.maxSize > 0 && this.size >= this.target.maxSize) await this.rotate();
    }
  }

  private async writeBatch(): Promise<void> {
    let bytes = 0;
    let count = 0;
    while (count < this.queue.length && (count === 0 || bytes + this.queue[count]!.bytes <= BATCH_BYTES)) bytes += this.queue[count++]!.bytes;
    const batch = this.queue.splice(0, count);
    const parts = batch.map((e) => (typeof e.text === 'string' ? Buffer.from(e.text) : e.text));
    const buffer = Buffer.concat(this.brokenLine ? [NEWLINE, ...parts] : parts);
    let written = 0;
    try {
      // From the thread pool, never synchronously: a disk that stalls (NFS, a dying drive) or a
      // terminal or pipe whose reader stops must not stop the master's loop, which sits on the
      // accept path. (A synchronous write to a file measured no cheaper per line here.)
      while (written < buffer.length) written += await writeSome(this.fd, buffer, written);
      this.brokenLine = false;
      if (this.failing) {
        const { error, droppedBefore } = this.failing;
        this.failing = null;
        this.onRecovered?.(this.totalDropped() - droppedBefore, error);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      if (code === 'EAGAIN') {
        // Not a failure: the reader is slow. Put back what was not written and try again.
        const rest = Buffer.from(buffer.subarray(written));
        this.queue.unshift({ text: rest, bytes: rest.length, lines: batch.reduce((a, e) => a + e.lines, 0), source: batch[0]!.source });
        this.pending += rest.length - bytes;
        this.brokenLine = false;
        this.size += written;
        await new Promise((r) => setTimeout(r, EAGAIN_RETRY_MS));
        return;
      }
      this.lastError = { code, at: new Date().toISOString() };
      this.failing ??= { error: this.lastError, droppedBefore: this.totalDropped() };
      this.brokenLine = written > 0;
      // Entries that did not make it whole are dropped; written bytes include the '\n' prefix.
      let end = buffer.length - bytes;
      for (const entry of batch) {
        end += entry.bytes;
        if (end > written) this.countDropped(entry.source, entry.lines);
      }
    }
    this.size += written;
    this.pending -= bytes;
    if (this.pending < HIGH_WATER && this.drainWaiters.size > 0) {
      const waiters = [...this.drainWaiters];
      this.drainWaiters.clear();
      for (const fn of waiters) fn();
    }
  }

  private async reopenNow(waiters: Array<{ resolve: () => void; reject: (e: Error) => void }>): Promise<void> {
    if (this.target.kind !== 'file') return waiters.forEach((w) => w.resolve());
    let fd: number;
    try {
      fd = openLog(this.target.path);
    } catch (error) {
      // The old descriptor stays: lines keep going where they went, nothing is lost.
      return waiters.forEach((w) => w.reject(error as Error));
    }
    const old = this.fd;
    this.fd = fd;
    this.size = fs.fstatSync(fd).size;
    this.brokenLine = false;
    fs.close(old, () => undefined);
    waiters.forEach((w) => w.resolve());
  }

  /** `path` → `path.1` → … → `path.<maxFiles>` (the oldest is removed), then a fresh `path`. */
  private async rotate(): Promise<void> {
    if (this.target.kind !== 'file') return;
    const { path: file, maxFiles } = this.target;
    try {
      fs.rmSync(`${file}.${maxFiles}`, { force: true });
      for (let i = maxFiles - 1; i >= 1; i--) renameIfExists(`${file}.${i}`, `${file}.${i + 1}`);
      fs.renameSync(file, `${file}.1`);
    } catch (error) {
      this.lastError = { code: (error as NodeJS.ErrnoException).code ?? 'EIO', at: new Date().toISOString() };
      return;
    }
    await this.reopenNow([]);
  }

  private countDropped(source: number, lines: number): void {
    this.dropped.set(source, (this.dropped.get(source) ?? 0) + lines);
  }
}

/** Opens (creating its folder) a log file for appending: with O_APPEND, a copytruncate leaves no hole. */
export function openLog(file: string): number {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return fs.openSync(file, 'a', 0o644);
}

function writeSome(fd: number, buffer: Buffer, offset: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.write(fd, buffer, offset, buffer.length - offset, null, (error, n) => (error ? reject(error) : resolve(n)));
  });
}

function renameIfExists(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
