// A small closed-loop HTTP/1.1 load generator on node:net, for the two loads autocannon 8 does
// not model faithfully:
//   - a new connection per request (autocannon's reconnectRate: 1 resets the socket before it
//     records the response, so it counts nothing);
//   - keep-alive load through a rolling reload. autocannon ignores "Connection: close" (what a
//     draining worker answers) and writes its next request on that socket; when a server
//     closes a socket with a request in flight, autocannon reconnects on 'end' without counting
//     anything, so a lost request is neither an error nor a response: it undercounts failures
//     (measured here: 5 errors for the bare primary's naive reload, where this client counts
//     about 40 failed requests). This client, like wrk, browsers, undici and node's
//     http.Agent, opens a new connection after "Connection: close", and counts every request
//     that got no complete response as failed.
// Each of `connections` loops sends one request, waits for the whole response, records its
// latency and sends the next (after `pauseMs`, for a light load), until `durationMs` has
// passed. With `openOneByOne`, each connection opens only once the one before it has had its
// first response: in node:cluster's round-robin mode the primary hands a connection to the
// first worker free of its previous hand-off, so a burst of connects splits them between the
// workers by a race (9/23 and 21/11 of 32 seen in one run, and the req/s of a round followed
// that split more than the supervisor); opened one by one they alternate. Every request is
// recorded with its end time, so a scenario can look at a window
// (e.g. while a reload ran); with `inspect(body)`, also whether its body showed something
// (e.g. the new code after a reload: see firstTagged()).
import net from 'node:net';
import { percentile } from './stats.mjs';

export async function httpLoad({ host = '127.0.0.1', port, path = '/', connections = 16, durationMs, keepAlive = true, timeoutMs = 10_000, pauseMs = 0, inspect = null, openOneByOne = false }) {
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\n${keepAlive ? '' : 'Connection: close\r\n'}\r\n`, 'latin1');
  const record = { end: [], latency: [], ok: [], tag: inspect ? [] : null };
  const errors = {};
  let connectionsOpened = 0;
  let non2xx = 0;
  const startedAt = performance.now();
  const deadline = startedAt + durationMs;

  const fail = (reason, began) => {
    errors[reason] = (errors[reason] ?? 0) + 1;
    const now = performance.now();
    record.end.push(now - startedAt);
    record.latency.push(now - began);
    record.ok.push(0);
    record.tag?.push(0);
  };

  async function loop(previousOpened, opened) {
    let conn = null;
    await previousOpened;
    let first = true;
    while (performance.now() < deadline) {
      const began = performance.now();
      if (!conn) {
        try {
          conn = await Connection.open(host, port, timeoutMs);
          connectionsOpened += 1;
        } catch (error) {
          fail(error.code ?? 'connect', began);
          await new Promise((resolve) => setTimeout(resolve, 5));
          continue;
        }
      }
      try {
        const response = await conn.exchange(request, timeoutMs);
        const now = performance.now();
        const ok = response.status >= 200 && response.status < 300;
        if (!ok) non2xx += 1;
        record.end.push(now - startedAt);
        record.latency.push(now - began);
        record.ok.push(ok ? 1 : 0);
        record.tag?.push(ok && inspect(response.body) ? 1 : 0);
        if (first) (first = false), opened();
        if (!keepAlive || response.close) {
          conn.destroy();
          conn = null;
        }
      } catch (error) {
        fail(error.code ?? error.message, began);
        conn.destroy();
        conn = null;
        if (first) (first = false), opened();
      }
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    conn?.destroy();
    if (first) opened();
  }

  // Each loop waits for the one before it to have its first answer (or none, without openOneByOne).
  let gate = Promise.resolve();
  const loops = Array.from({ length: connections }, () => {
    const previous = openOneByOne ? gate : Promise.resolve();
    let opened;
    gate = new Promise((resolve) => (opened = resolve));
    return loop(previous, opened);
  });
  await Promise.all(loops);
  const elapsedMs = performance.now() - startedAt;
  return summarizeLoad({ record, errors, non2xx, connectionsOpened, elapsedMs, startedAt });
}

function summarizeLoad({ record, errors, non2xx, connectionsOpened, elapsedMs, startedAt }) {
  const okLatencies = record.latency.filter((_, i) => record.ok[i] === 1);
  const completed = okLatencies.length;
  const failed = record.ok.length - completed;
  return {
    requests: record.ok.length,
    completed,
    failed,
    non2xx,
    errors,
    connectionsOpened,
    elapsedMs,
    rps: completed / (elapsedMs / 1000),
    p50: percentile(okLatencies, 50),
    p99: percentile(okLatencies, 99),
    /** The raw record, for windowed figures: end times are ms after `startedAt`. */
    record,
    startedAt,
  };
}

/** Figures of the requests that ended inside [fromMs, toMs) (ms after the load started). */
export function windowOf(load, fromMs, toMs) {
  const latencies = [];
  let failed = 0;
  const { end, latency, ok } = load.record;
  for (let i = 0; i < end.length; i++) {
    if (end[i] < fromMs || end[i] >= toMs) continue;
    if (ok[i] === 1) latencies.push(latency[i]);
    else failed += 1;
  }
  const seconds = Math.max(1e-9, (toMs - fromMs) / 1000);
  return { completed: latencies.length, failed, rps: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** The end time (ms after the load started) of the first tagged response at or after fromMs; null if none. */
export function firstTagged(load, fromMs = 0) {
  const { end, tag } = load.record;
  if (!tag) throw new Error('the load ran without inspect()');
  let first = null;
  for (let i = 0; i < end.length; i++) if (tag[i] === 1 && end[i] >= fromMs && (first === null || end[i] < first)) first = end[i];
  return first;
}

/** One client connection that exchanges one request for one response at a time. */
class Connection {
  static open(host, port, timeoutMs) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error('connect timeout'), { code: 'connect-timeout' }));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new Connection(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.pending = null;
    this.buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (error) => this.settle(error));
    socket.on('close', () => {
      // A response without a length ends when the connection does.
      if (this.pending?.head && this.pending.head.untilClose) return this.complete();
      this.settle(Object.assign(new Error('closed before the response'), { code: 'closed-early' }));
    });
  }

  exchange(request, timeoutMs) {
    return new Promise((resolve, reject) => {
      if (this.socket.destroyed) return reject(Object.assign(new Error('socket closed'), { code: 'closed-early' }));
      const timer = setTimeout(() => this.settle(Object.assign(new Error('response timeout'), { code: 'timeout' })), timeoutMs);
      this.pending = { resolve, reject, timer, head: null };
      this.socket.write(request);
    });
  }

  onData(chunk) {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const p = this.pending;
    if (!p) return;
    if (!p.head) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      p.head = parseHead(this.buffer.toString('latin1', 0, end));
      this.buffer = this.buffer.subarray(end + 4);
    }
    const h = p.head;
    if (h.length !== null && this.buffer.length >= h.length) this.complete();
    else if (h.chunked && (this.buffer.indexOf('\r\n0\r\n\r\n') >= 0 || this.buffer.subarray(0, 5).toString('latin1') === '0\r\n\r\n')) this.complete();
  }

  complete() {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    const body = p.head.length !== null ? this.buffer.subarray(0, p.head.length) : this.buffer;
    this.buffer = Buffer.alloc(0);
    clearTimeout(p.timer);
    p.resolve({ status: p.head.status, close: p.head.close, body });
  }

  settle(error) {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    clearTimeout(p.timer);
    p.reject(error);
  }

  destroy() {
    this.socket.destroy();
  }
}

function parseHead(text) {
  const lines = text.split('\r\n');
  const status = Number(lines[0].split(' ')[1]);
  let length = null;
  let chunked = false;
  let close = false;
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    const name = lines[i].slice(0, colon).trim().toLowerCase();
    const value = lines[i].slice(colon + 1).trim().toLowerCase();
    if (name === 'content-length') length = Number(value);
    else if (name === 'transfer-encoding' && value.includes('chunked')) chunked = true;
    else if (name === 'connection' && value.includes('close')) close = true;
  }
  const noBody = status === 204 || status === 304 || (status >= 100 && status < 200);
  if (noBody) length = 0;
  return { status, length, chunked, close, untilClose: length === null && !chunked };
}
