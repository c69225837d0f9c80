// Slowloris: clients that send their headers a line at a time and never finish. headersTimeout
// is enforced near its value (Node only looks every connectionsCheckingInterval, 30 s unless
// drover sets it from the timeouts), the slow clients are dropped with a 408, and everyone
// else is served meanwhile by the same workers.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { startHttpDaemon } from '../helpers/daemon.js';
import { request } from '../helpers/http.js';
import { scenario } from '../helpers/scenario.js';
import { statusJson, workerPids } from '../helpers/status.js';

const HEADERS_TIMEOUT = 2000;
/** Generous, but well under Node's own 30 s check: only drover's interval makes it in time. */
const DROPPED_WITHIN_MS = 12_000;

interface SlowClient {
  dropped: Promise<{ afterMs: number; answer: string }>;
  stop(): void;
}

function slowClient(port: number): SlowClient {
  const socket = net.connect({ host: '127.0.0.1', port });
  const startedAt = performance.now();
  let answer = '';
  let timer: NodeJS.Timeout | undefined;
  socket.on('connect', () => {
    socket.write('GET /worker/HttpExamples/index HTTP/1.1\r\nHost: t\r\n');
    let n = 0;
    timer = setInterval(() => socket.writable && socket.write(`X-Slow-${n++}: a\r\n`), 200);
  });
  socket.setEncoding('latin1').on('data', (s: string) => (answer += s));
  socket.on('error', () => undefined);
  const dropped = new Promise<{ afterMs: number; answer: string }>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ afterMs: performance.now() - startedAt, answer });
    }),
  );
  return { dropped, stop: () => socket.destroy() };
}

test('slow header senders are dropped near headersTimeout with a 408 while other clients are served', { timeout: 60_000 }, scenario(async (p) => {
  const port = await startHttpDaemon(p, { headersTimeout: HEADERS_TIMEOUT, requestTimeout: 2 * HEADERS_TIMEOUT });
  const before = workerPids(await statusJson(p, 'web'));
  const clients = Array.from({ length: 20 }, () => slowClient(port));
  try {
    const results = await Promise.race([
      Promise.all(clients.map((c) => c.dropped)),
      (async () => {
        // Served meanwhile, one request after another, until the slow clients are gone.
        for (;;) {
          const r = await request(port, '/worker/HttpExamples/index');
          assert.equal(r.status, 200, r.body);
        }
      })(),
    ]);
    for (const { afterMs, answer } of results) {
      assert.ok(afterMs >= HEADERS_TIMEOUT - 100, `dropped after ${Math.round(afterMs)} ms, not before headersTimeout`);
      assert.ok(afterMs < DROPPED_WITHIN_MS, `dropped after ${Math.round(afterMs)} ms (headersTimeout ${HEADERS_TIMEOUT})`);
      assert.match(answer, /^HTTP\/1\.1 408 /, 'answered 408 Request Timeout');
    }
  } finally {
    clients.forEach((c) => c.stop());
  }
  assert.equal((await request(port, '/worker/HttpExamples/index')).status, 200);
  assert.deepEqual(workerPids(await statusJson(p, 'web')), before, 'the same workers serve');
}));
