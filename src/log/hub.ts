// The master's side of logging. Workers' stdout and stderr are pipes to the master
// (cluster `silent: true`); the hub cuts them into lines, gives each line its prefix (time,
// service, worker id and pid, stream) and hands them to the sink: one file in daemon mode,
// the master's own stdout/stderr in the foreground. One writer per file is what makes
// reopen, rotation and the dropped counts simple; the cost in the master is measured in the
// bench ("logs under a chatty app").
//
// Workers send stdout in batches of up to 5 ms (stdout-batch.ts) and the sink writes what a
// 5 ms window gathered, so the master wakes and writes per batch, not per line (~3 µs of master
// CPU per line under a chatty app instead of 22-28; bench scenario logs-chatty).
//
// When the sink falls behind, the worker's pipe is paused: the worker's next writes block in
// the kernel (stdout on a pipe is synchronous in Node on Linux) instead of the master
// buffering without bound. Lines are dropped only when a write fails (ENOSPC, EIO, EPIPE).
import type { Readable } from 'node:stream';
import { formatLines, type LogFormat, type LogSource, type LogStream } from './line-format.js';
import { LineSplitter } from './line-splitter.js';
import { LogSink, type SinkTarget, type WriteError } from './sink.js';
import { TailBuffer } from './tail-buffer.js';

export type LogDestination = { kind: 'file'; path: string; maxSize: number; maxFiles: number } | { kind: 'stdio' };

export interface LogHubOptions {
  service: string;
  format: LogFormat;
  destination: LogDestination;
}

/** What the hub keeps about one worker's output. */
export interface WorkerOutput {
  /** The last lines it wrote to stderr (bounded), the reason for a crash. */
  readonly stderrTail: TailBuffer;
}

export interface LogState {
  destination: string;
  format: LogFormat;
  maxSize: number;
  dropped: number;
  lastWriteError: WriteError | null;
}

/** Master lines are counted under this source; workers under their slot id. */
const MASTER = 0;

export class LogHub {
  private readonly out: LogSink;
  private readonly err: LogSink;
  private readonly master: LogSource;
  /** Worker pipes not ended yet. */
  private readonly open = new Set<Readable>();

  constructor(private readonly options: LogHubOptions) {
    const d = options.destination;
    if (d.kind === 'file') {
      this.out = this.err = new LogSink({ kind: 'file', path: d.path, maxSize: d.maxSize, maxFiles: d.maxFiles });
    } else {
      this.out = new LogSink(fdTarget(1, 'stdout'));
      this.err = new LogSink(fdTarget(2, 'stderr'));
    }
    this.master = { service: options.service, worker: null, pid: process.pid };
    // The log itself shows where its gap is, once writing works again.
    for (const sink of new Set([this.out, this.err])) {
      sink.onRecovered = (dropped, error) =>
        this.log(`log: ${dropped} lines could not be written (${error.code}) since ${error.at}; writing again`, 'stderr');
    }
  }

  /** A line of the master's own, on its stdout stream (stderr for errors). */
  log(message: string, stream: LogStream = 'stdout'): void {
    const lines = message.split('\n');
    this.sink(stream).write(formatLines(this.options.format, new Date().toISOString(), this.master, stream, lines), lines.length, MASTER);
  }

  /** Carries a worker's stdout and stderr from now until they end. */
  attach(slotId: number, pid: number, stdout: Readable | null, stderr: Readable | null): WorkerOutput {
    const output = { stderrTail: new TailBuffer() };
    const source: LogSource = { service: this.options.service, worker: slotId, pid };
    if (stdout) this.carry(stdout, source, 'stdout', null);
    if (stderr) this.carry(stderr, source, 'stderr', output.stderrTail);
    return output;
  }

  /** Reopens the log file at its path (logrotate's create mode moved it away). */
  reopen(): Promise<void> {
    return this.out.reopen();
  }

  droppedBy(slotId: number): number {
    return (this.out.dropped.get(slotId) ?? 0) + (this.err === this.out ? 0 : (this.err.dropped.get(slotId) ?? 0));
  }

  masterDropped(): number {
    return this.droppedBy(MASTER);
  }

  /** Lines of every worker slot the service has had (the master's own excluded). */
  workersDropped(): number {
    let n = 0;
    for (const sink of new Set([this.out, this.err])) for (const [source, count] of sink.dropped) if (source !== MASTER) n += count;
    return n;
  }

  state(): LogState {
    const d = this.options.destination;
    const errors = [this.out.lastError, this.err.lastError].filter((e): e is WriteError => e !== null).sort((a, b) => a.at.localeCompare(b.at));
    return {
      destination: d.kind === 'file' ? d.path : 'stdout/stderr',
      format: this.options.format,
      maxSize: d.kind === 'file' ? d.maxSize : 0,
      dropped: this.out.totalDropped() + (this.err === this.out ? 0 : this.err.totalDropped()),
      lastWriteError: errors.at(-1) ?? null,
    };
  }

  /**
   * Waits (bounded) for the pipes of workers that have exited to deliver their last lines (they
   * can arrive after cluster's 'exit'), writes what is queued and closes the file.
   */
  async close(timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.open.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const left = Math.max(0, deadline - Date.now());
    await Promise.all([this.out.close(left), this.err === this.out ? null : this.err.close(left)]);
  }

  private sink(stream: LogStream): LogSink {
    return stream === 'stdout' ? this.out : this.err;
  }

  private carry(readable: Readable, source: LogSource, stream: LogStream, tail: TailBuffer | null): void {
    const splitter = new LineSplitter();
    const sink = this.sink(stream);
    const emit = (lines: string[]) => {
      if (lines.length === 0) return;
      tail?.push(lines);
      const ok = sink.write(formatLines(this.options.format, new Date().toISOString(), source, stream, lines), lines.length, source.worker!);
      if (!ok && !readable.isPaused()) {
        readable.pause();
        sink.onDrain(() => readable.resume());
      }
    };
    this.open.add(readable);
    readable.on('data', (chunk: Buffer) => emit(splitter.push(chunk)));
    readable.once('end', () => emit(splitter.end()));
    readable.once('close', () => this.open.delete(readable));
    // A pipe to a worker that died can only fail by closing; there is nothing to report.
    readable.on('error', () => undefined);
  }
}

function fdTarget(fd: number, name: string): SinkTarget {
  return { kind: 'fd', fd, name };
}
