#!/usr/bin/env node
// A process that holds WebSocket clients for the bench (forked by lib/ws-load.mjs, driven over
// its IPC channel), so that the clients' CPU and file descriptors are not the harness's. Every
// answer carries the request's seq; times are CLOCK_MONOTONIC milliseconds (process.hrtime),
// comparable across the processes of this machine.
//
//   open    { url, count, concurrency, timeoutMs, addressBase }  → idle clients, kept open
//   expect  { marker }     → from now on, count the idle clients that receive a text message
//                            starting with `marker` (a broadcast)
//   await   { timeoutMs }  → until every idle client got it: { expected, received, firstMs, lastMs }
//   close   {}             → closes the idle clients (a normal close), bounded
//   stats   {}             → open clients, and closes this process did not ask for
//   traffic { url, clients, durationMs, mode, pauseMs, timeoutMs, addressBase }
//                          → `clients` more connections, each a closed loop: send a message,
//                            wait for its answer, record the round trip, repeat; closed at the end
//
// Source addresses: each block of ADDRESS_BLOCK connections binds a fresh loopback address
// (127.x.y.z, from `addressBase` on), so that tens of thousands of connections over a run
// never run out of ephemeral ports or meet a port still in TIME_WAIT.
import WebSocket from 'ws';

const ADDRESS_BLOCK = 2000;
const nowMs = () => Number(process.hrtime.bigint() / 1000n) / 1000;

/** @type {Set<WebSocket>} */
const idle = new Set();
const counters = { unexpectedCloses: 0, closeCodes: {}, errors: {} };
let armed = null; // { marker, expected, received, firstMs, lastMs, waiters }

function loopbackAddress(k) {
  return `127.${1 + (Math.floor(k / 62_500) % 250)}.${1 + (Math.floor(k / 250) % 250)}.${1 + (k % 250)}`;
}

function connect(url, localAddress, timeoutMs) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, localAddress, handshakeTimeout: timeoutMs });
    ws.expectedClose = false;
    ws.on('error', (error) => {
      counters.errors[error.code ?? error.message] = (counters.errors[error.code ?? error.message] ?? 0) + 1;
      reject(error);
    });
    ws.once('open', () => resolve(ws));
    ws.on('close', (code) => {
      if (ws.expectedClose) return;
      counters.unexpectedCloses += 1;
      counters.closeCodes[code] = (counters.closeCodes[code] ?? 0) + 1;
    });
  });
}

async function open({ url, count, concurrency = 100, timeoutMs = 10_000, addressBase = 0 }) {
  const startedAt = nowMs();
  let next = 0;
  let opened = 0;
  let failed = 0;
  const errors = {};
  async function lane() {
    while (next < count) {
      const i = next++;
      try {
        const ws = await connect(url, loopbackAddress(addressBase + Math.floor(i / ADDRESS_BLOCK)), timeoutMs);
        ws.on('message', onIdleMessage);
        idle.add(ws);
        ws.once('close', () => idle.delete(ws));
        opened += 1;
      } catch (error) {
        failed += 1;
        errors[error.code ?? error.message] = (errors[error.code ?? error.message] ?? 0) + 1;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { opened, failed, errors, ms: nowMs() - startedAt, open: idle.size, addressesUsed: Math.ceil(count / ADDRESS_BLOCK) };
}

function onIdleMessage(data, isBinary) {
  const now = nowMs();
  const a = armed;
  if (!a || isBinary || this.gotMarker === a.marker) return;
  if (data.length < a.markerBytes.length || data.compare(a.markerBytes, 0, a.markerBytes.length, 0, a.markerBytes.length) !== 0) return;
  this.gotMarker = a.marker;
  a.received += 1;
  if (a.firstMs === null) a.firstMs = now;
  a.lastMs = now;
  if (a.received >= a.expected) for (const resolve of a.waiters.splice(0)) resolve();
}

function expect({ marker }) {
  armed = { marker, markerBytes: Buffer.from(marker), expected: idle.size, received: 0, firstMs: null, lastMs: null, waiters: [] };
  return { expected: armed.expected };
}

async function awaitBroadcast({ timeoutMs = 30_000 }) {
  const a = armed;
  if (!a) throw new Error('await without expect');
  if (a.received < a.expected) {
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      a.waiters.push(() => (clearTimeout(timer), resolve()));
    });
  }
  armed = null;
  return { expected: a.expected, received: a.received, firstMs: a.firstMs, lastMs: a.lastMs };
}

async function closeIdle() {
  const startedAt = nowMs();
  const all = [...idle];
  const closed = all.map((ws) => new Promise((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', resolve))));
  for (const ws of all) {
    ws.expectedClose = true;
    ws.close(1000);
  }
  const timer = new Promise((resolve) => setTimeout(resolve, 5000));
  await Promise.race([Promise.all(closed), timer]);
  let terminated = 0;
  for (const ws of all) {
    if (ws.readyState !== WebSocket.CLOSED) {
      ws.terminate();
      terminated += 1;
    }
  }
  idle.clear();
  return { closed: all.length, terminated, ms: nowMs() - startedAt };
}

/**
 * Closed-loop round trips. mode 'envelope' (drover): the answer is drover's reply envelope,
 * {type: 'message', data: {echo: {n}, pid, …}}; 'error' envelopes count as failed. mode 'echo'
 * (the reference): the answer is the message itself. Either way the answer must carry the n
 * that was sent; a late answer to an earlier, timed-out message is skipped.
 */
async function traffic({ url, clients, durationMs, mode = 'envelope', pauseMs = 0, timeoutMs = 10_000, addressBase = 0, path = 'worker/WebSocketExamples/message' }) {
  const startedAt = nowMs();
  const deadline = startedAt + durationMs;
  const record = { end: [], latency: [], ok: [] };
  const summary = { errorReplies: {}, timeouts: 0, connectFailures: 0, closes: 0, closeCodes: {}, answeredBy: {} };
  const sockets = [];

  async function loop(index) {
    let ws = null;
    let n = 0;
    while (nowMs() < deadline) {
      if (!ws) {
        try {
          const socket = await connect(url, loopbackAddress(addressBase + index), timeoutMs);
          ws = socket;
          sockets.push(socket);
          socket.on('close', (code) => {
            if (socket.expectedClose) return;
            summary.closes += 1;
            summary.closeCodes[code] = (summary.closeCodes[code] ?? 0) + 1;
          });
        } catch {
          summary.connectFailures += 1;
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
      }
      n += 1;
      const began = nowMs();
      const outcome = await exchange(ws, JSON.stringify({ pathInfo: path, n }), n, mode, timeoutMs);
      const end = nowMs();
      record.end.push(end - startedAt);
      record.latency.push(end - began);
      record.ok.push(outcome.ok ? 1 : 0);
      if (outcome.error) summary.errorReplies[outcome.error] = (summary.errorReplies[outcome.error] ?? 0) + 1;
      if (outcome.timeout) summary.timeouts += 1;
      if (outcome.pid) {
        const by = (summary.answeredBy[outcome.pid] ??= { count: 0, firstMs: end - startedAt, lastMs: 0 });
        by.count += 1;
        by.lastMs = end - startedAt;
      }
      if (outcome.closed) ws = null;
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
  await Promise.all(Array.from({ length: clients }, (_, i) => loop(i)));
  const elapsedMs = nowMs() - startedAt;
  await Promise.all(
    sockets.map((ws) => {
      if (ws.readyState === WebSocket.CLOSED) return null;
      ws.expectedClose = true;
      const closed = new Promise((resolve) => ws.once('close', resolve));
      ws.close(1000);
      return Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]).then(() => ws.terminate());
    }),
  );
  return { record, ...summary, startedAtMs: startedAt, elapsedMs };
}

function exchange(ws, text, n, mode, timeoutMs) {
  return new Promise((resolve) => {
    if (ws.readyState !== WebSocket.OPEN) return resolve({ ok: false, closed: true, error: 'not-open' });
    const done = (outcome) => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve(outcome);
    };
    const timer = setTimeout(() => done({ ok: false, timeout: true }), timeoutMs);
    const onClose = () => done({ ok: false, closed: true, error: 'closed' });
    const onMessage = (data, isBinary) => {
      if (isBinary) return done({ ok: false, error: 'binary' });
      let reply;
      try {
        reply = JSON.parse(data.toString());
      } catch {
        return done({ ok: false, error: 'not-json' });
      }
      if (mode === 'echo') {
        if (reply?.n === n) done({ ok: true });
        return;
      }
      if (reply?.type === 'error') return done({ ok: false, error: String(reply.data?.code ?? 'error') });
      if (reply?.data?.echo?.n === n) done({ ok: true, pid: reply.data.pid });
    };
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.send(text);
  });
}

const handlers = {
  open,
  expect,
  await: awaitBroadcast,
  close: closeIdle,
  traffic,
  stats: () => ({ pid: process.pid, open: idle.size, rss: process.memoryUsage.rss(), ...counters }),
};

process.on('message', async (m) => {
  const handler = handlers[m?.type];
  if (!handler) return;
  try {
    process.send({ type: `${m.type}-done`, seq: m.seq, result: await handler(m) });
  } catch (error) {
    process.send({ type: `${m.type}-done`, seq: m.seq, error: String(error.stack ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', pid: process.pid });
