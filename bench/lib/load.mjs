// The load generators: the bench's own closed-loop client (http-load.mjs) for every load, and
// autocannon (the registry's load generator) only to show what it counts during a reload.
// Keep-alive loads open their connections one by one, so node's round-robin hand-off splits
// them evenly between the workers (why: http-load.mjs, and bench/README.md).
import { createRequire } from 'node:module';
import autocannon from 'autocannon';

import { httpLoad } from './http-load.mjs';

export { firstTagged, httpLoad, windowOf } from './http-load.mjs';

const require = createRequire(import.meta.url);

export function autocannonVersion() {
  return require('autocannon/package.json').version;
}

/** Keep-alive load for a fixed duration; resolves with rps, latency percentiles and failures. */
export async function keepAliveLoad({ host = '127.0.0.1', port, path = '/', connections, durationS }) {
  const r = await httpLoad({ host, port, path, connections, durationMs: durationS * 1000, keepAlive: true, openOneByOne: true });
  return { requests: r.requests, rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors, non2xx: r.non2xx, failed: r.failed, elapsedMs: r.elapsedMs };
}

/** autocannon's keep-alive load, for its own count of what failed (reload.mjs). */
export async function autocannonLoad({ host = '127.0.0.1', port, path = '/', connections, durationS }) {
  const result = await autocannon({
    url: `http://${host}:${port}${path}`,
    connections,
    duration: durationS,
    pipelining: 1,
    timeout: 10,
  });
  return {
    requests: result.requests.total,
    rps: result.requests.total / (result.duration || durationS),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    // autocannon counts a timeout in errors too.
    failed: result.errors + result.non2xx,
    elapsedMs: (result.duration || durationS) * 1000,
  };
}
