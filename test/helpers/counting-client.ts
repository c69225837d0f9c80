// A load client of our own that accounts for every request it sends: each one ends as a 2xx
// answer or as a counted failure (by kind), none is left unaccounted when stop() resolves.
// Keep-alive (one agent, a few sockets reused) or a new connection per request.
import http from 'node:http';

export interface CountingResult {
  sent: number;
  ok: number;
  failed: number;
  failures: Record<string, number>;
  /** Which worker pids answered (from the x-worker-pid header, when the app sets it). */
  pids: Set<number>;
}

export interface CountingClient {
  /** Resolves once `n` answers came back in total. */
  answers(n: number): Promise<void>;
  stop(): Promise<CountingResult>;
  readonly result: CountingResult;
}

export function countingClient(url: string, options: { keepAlive: boolean; concurrency?: number; maxSeconds?: number }): CountingClient {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: options.keepAlive, maxSockets: options.concurrency ?? 4 });
  const result: CountingResult = { sent: 0, ok: 0, failed: 0, failures: {}, pids: new Set() };
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const deadline = Date.now() + (options.maxSeconds ?? 60) * 1000;
  let running = true;
  const fail = (kind: string) => {
    result.failed += 1;
    result.failures[kind] = (result.failures[kind] ?? 0) + 1;
  };
  const one = () =>
    new Promise<void>((resolve) => {
      result.sent += 1;
      const req = http.get({ host: target.hostname, port: target.port, path: target.pathname + target.search, agent, headers: options.keepAlive ? {} : { connection: 'close' } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode && res.statusCode >= 200 && res.statusCode < 300) result.ok += 1;
          else fail(`status ${res.statusCode}`);
          const pid = Number(res.headers['x-worker-pid']);
          if (pid) result.pids.add(pid);
          for (const w of waiters.filter((w) => result.ok + result.failed >= w.n)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve();
          }
          resolve();
        });
        res.on('error', (e: NodeJS.ErrnoException) => (fail(e.code ?? e.message), resolve()));
      });
      req.on('error', (e: NodeJS.ErrnoException) => (fail(e.code ?? e.message), resolve()));
      req.setTimeout(10_000, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    });
  const loop = async () => {
    while (running && Date.now() < deadline) await one();
  };
  const loops = Array.from({ length: options.concurrency ?? 4 }, loop);
  return {
    result,
    answers: (n) => (result.ok + result.failed >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return result;
    },
  };
}
