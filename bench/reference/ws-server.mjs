#!/usr/bin/env node
// Reference for the WebSocket scenario: one plain process with a `ws` server, the single-process
// limit drover's gateways are measured against. It echoes every text message back as it came
// (the text "ping" gets "pong", as drover's gateway answers it), and over the IPC channel the
// harness started it with:
//   → { type: 'stats', seq }                ← { type: 'stats', seq, pid, rss, heapUsed, clients }
//   → { type: 'broadcast', seq, data }      ← { type: 'broadcast', seq, t0Ms, t1Ms, sent }
// The broadcast is the plain loop over the connected clients (`ws.send(data)` for each), timed
// from the moment the request arrives: t0Ms/t1Ms are CLOCK_MONOTONIC milliseconds
// (process.hrtime), comparable across the processes of this machine.
//
// Env: BENCH_PORT, BENCH_HOST (default 127.0.0.1). Sends { type: 'ready', pid } once listening.
import { WebSocketServer } from 'ws';

const port = Number(process.env.BENCH_PORT);
const host = process.env.BENCH_HOST || '127.0.0.1';
if (!Number.isInteger(port) || port <= 0) throw new Error('set BENCH_PORT');

const nowMs = () => Number(process.hrtime.bigint() / 1000n) / 1000;

// The same server options drover's gateway uses where they matter (no compression).
const wss = new WebSocketServer({ host, port, perMessageDeflate: false, maxPayload: 1024 * 1024 });
wss.on('connection', (ws, req) => {
  req.socket.setNoDelay(true);
  ws.on('error', () => {});
  ws.on('message', (data, isBinary) => {
    if (!isBinary && data.length === 4 && data.toString() === 'ping') ws.send('pong');
    else ws.send(data, { binary: isBinary });
  });
});

process.on('message', (m) => {
  if (m?.type === 'stats') {
    const memory = process.memoryUsage();
    process.send({ type: 'stats', seq: m.seq, pid: process.pid, rss: memory.rss, heapUsed: memory.heapUsed, clients: wss.clients.size });
  } else if (m?.type === 'broadcast') {
    const t0Ms = nowMs();
    let sent = 0;
    for (const ws of wss.clients) {
      if (ws.readyState !== 1) continue;
      ws.send(m.data);
      sent += 1;
    }
    process.send({ type: 'broadcast', seq: m.seq, t0Ms, t1Ms: nowMs(), sent });
  }
});

const shutdown = () => {
  for (const ws of wss.clients) ws.terminate();
  wss.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', shutdown);
process.on('disconnect', shutdown);

wss.on('listening', () => process.send({ type: 'ready', pid: process.pid, workers: [] }));
wss.on('error', (error) => {
  console.error(error.message);
  process.exit(1);
});
