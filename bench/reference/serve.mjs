// What a bare worker (and the single process) runs: one http server on the shared port around
// the bench's app, with the same timeouts drover's HTTP service sets, and counters that the
// harness reads over IPC (requests, connections accepted, connections open, RSS): the bare
// equivalent of drover's `status --json` per-worker figures.
import http from 'node:http';
import { pathToFileURL } from 'node:url';

export async function serveApp({ appPath, host, port }) {
  const app = (await import(pathToFileURL(appPath).href)).default;
  const counters = { requests: 0, accepted: 0, connections: 0 };
  const server = http.createServer(
    { keepAliveTimeout: 5_000, requestTimeout: 300_000, headersTimeout: 60_000, maxHeaderSize: 16 * 1024 },
    (req, res) => {
      counters.requests += 1;
      app(req, res);
    },
  );
  server.on('connection', (socket) => {
    counters.accepted += 1;
    counters.connections += 1;
    socket.once('close', () => (counters.connections -= 1));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, resolve);
  });
  const snapshot = () => ({ pid: process.pid, ...counters, rss: process.memoryUsage.rss() });
  return { server, counters, snapshot };
}

export function readEnv(env = process.env) {
  const appPath = env.BENCH_APP;
  const port = Number(env.BENCH_PORT);
  if (!appPath || !Number.isInteger(port) || port <= 0) {
    throw new Error('set BENCH_APP (path of an app module) and BENCH_PORT (a port number)');
  }
  return { appPath, port, host: env.BENCH_HOST || '127.0.0.1', workers: Number(env.BENCH_WORKERS || 2) };
}
