// The load generators: autocannon for keep-alive throughput (the registry's load generator the
// issue names), and the bench's own closed-loop client (http-load.mjs) where autocannon 8 does
// not model a real client (a new connection per request; Connection: close during a reload).
import { createRequire } from 'node:module';
import autocannon from 'autocannon';

export { firstTagged, httpLoad, windowOf } from './http-load.mjs';

const require = createRequire(import.meta.url);

export function autocannonVersion() {
  return require('autocannon/package.json').version;
}

/** Keep-alive load for a fixed duration; resolves with rps, latency percentiles and errors. */
export async function keepAliveLoad({ host = '127.0.0.1', port, path = '/', connections, durationS }) {
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
