// A worker's stdout, written in batches. stdout is a pipe to the master, and on Linux a pipe
// write from Node is a synchronous write(2) per call: an app that logs a line per request made
// one syscall per line in the worker and, worse, woke the master once per line to read ~100
// bytes (measured: 0.37-0.56 context switches and 22-28 µs of master CPU per line at 15k
// lines/s; bench scenario logs-chatty). Here the writes of a few milliseconds go out in one write(2),
// so the master wakes once per batch and reads it whole.
//
// What stays as it was:
// - stderr is written at once, never held: it carries the crash reason (the master keeps its
//   tail for `status`), and a worker killed outright (SIGKILL, V8 out of memory) must not take
//   its last error lines with it. A stderr write first sends the stdout held so far, so the two
//   streams leave the worker in the order it wrote them.
// - Nothing is held once the worker exits or starts stopping (`unbatch`): every path out flushes
//   first, and a worker killed at stopTimeout has nothing waiting. What can be lost is stdout
//   written in the last WINDOW_MS before a kill -9 or a V8 abort from outside a stop.
// - Writes made on fd 1 directly (fs.writeSync(1, …), some loggers do) bypass this and reach
//   the master as before; the master's read and write paths batch on their side too.

/** How long a stdout write may wait for others to join it. */
export const WINDOW_MS = 5;
/** A batch this big goes at once (a pipe holds 64 KiB; more would block the worker on the master). */
const MAX_BATCH_BYTES = 32 * 1024;

type WriteCallback = (error?: Error | null) => void;
type Write = (chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;

let state: { parts: Array<string | Buffer>; bytes: number; callbacks: WriteCallback[]; timer: NodeJS.Timeout | null } | null = null;
let writeOut: Write | null = null;

/** Holds process.stdout's writes for up to WINDOW_MS and sends them in one write. Idempotent. */
export function batchStdout(): void {
  if (state) return;
  const stdout = process.stdout;
  const stderr = process.stderr;
  const out = stdout.write.bind(stdout) as Write;
  const err = stderr.write.bind(stderr) as Write;
  writeOut = out;
  state = { parts: [], bytes: 0, callbacks: [], timer: null };
  stdout.write = function write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    if (!state) return out(chunk, encoding, callback);
    if (typeof encoding === 'function') [callback, encoding] = [encoding, undefined];
    // A caller may reuse its buffer once write() returns (a pipe write used to be done by then): copy.
    const part =
      typeof chunk === 'string'
        ? encoding && encoding !== 'utf8' && encoding !== 'utf-8'
          ? Buffer.from(chunk, encoding as BufferEncoding)
          : chunk
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk)
          : null;
    // Anything else (an object in object mode, a wrong type): the stream itself decides.
    if (part === null) return out(chunk, encoding, callback);
    state.parts.push(part);
    state.bytes += typeof part === 'string' ? part.length : part.length;
    if (typeof callback === 'function') state.callbacks.push(callback as WriteCallback);
    if (state.bytes >= MAX_BATCH_BYTES) flush();
    else state.timer ??= setTimeout(flush, WINDOW_MS).unref();
    return true;
  } as typeof stdout.write;
  stderr.write = function write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
    flush();
    return err(chunk, encoding, callback);
  } as typeof stderr.write;
  // Synchronous on a pipe: what is held is written before the process is gone, and so is
  // whatever a later 'exit' listener writes.
  process.once('exit', unbatch);
}

/** Writes what is held now. */
export function flush(): void {
  if (!state || !writeOut) return;
  if (state.timer) clearTimeout(state.timer);
  state.timer = null;
  if (state.parts.length === 0) return;
  const { parts, callbacks } = state;
  state.parts = [];
  state.bytes = 0;
  state.callbacks = [];
  const data = parts.every((p) => typeof p === 'string') ? parts.join('') : Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
  writeOut(data, callbacks.length === 0 ? undefined : (error?: Error | null) => callbacks.forEach((cb) => cb(error)));
}

/** Writes what is held and lets every later write through at once (a stopping worker, the exit). */
export function unbatch(): void {
  flush();
  state = null;
}
