// A load of our own for hostile tests: a few lanes, each sending one request per new
// connection, back to back, and every request accounted for: answered (with its status),
// failed (with the error), or never answered within `answerTimeoutMs`. autocannon folds some
// of these together (a socket the server never answers is not an error to it until its own
// timeout), so the fault suite counts for itself.
import http from 'node:http';

export interface Counts {
  sent: number;
  answered: number;
  /** Answers by status code. */
  statuses: Record<number, number>;
  /** Failures by kind (ECONNRESET, ECONNREFUSED, "no answer within N ms", ...). */
  failures: Record<string, number>;
}

export interface CountingLoad {
  /** Resolves once `n` more requests have been answered (the load really flows). */
  answered(n: number): Promise<void>;
  /** Stops sending, waits for every request in flight to settle, and returns the counts. */
  stop(): Promise<Counts>;
}

export interface CountingOptions {
  lanes?: number;
  answerTimeoutMs?: number;
  /** Hard bound on the number of requests, whatever happens (the load stays bounded). */
  maxRequests?: number;
}

export function startCountingLoad(port: number, path: string, options: CountingOptions = {}): CountingLoad {
  const counts: Counts = { sent: 0, answered: 0, statuses: {}, failures: {} };
  const answerTimeoutMs = options.answerTimeoutMs ?? 5000;
  const maxRequests = options.maxRequests ?? 200_000;
  let stopped = false;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const notify = () => {
    for (const w of waiters.filter((w) => counts.answered >= w.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const fail = (kind: string) => (counts.failures[kind] = (counts.failures[kind] ?? 0) + 1);
  const once = () =>
    new Promise<void>((resolve) => {
      counts.sent += 1;
      const req = http.request({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } }, (res) => {
        res.resume();
        res.on('end', () => {
          counts.answered += 1;
          counts.statuses[res.statusCode ?? 0] = (counts.statuses[res.statusCode ?? 0] ?? 0) + 1;
          notify();
          resolve();
        });
        res.on('error', (error: NodeJS.ErrnoException) => (fail(`response ${error.code ?? error.message}`), resolve()));
      });
      // Not socket inactivity: the whole exchange must be over in time.
      const timer = setTimeout(() => req.destroy(Object.assign(new Error('no answer'), { code: `no answer within ${answerTimeoutMs} ms` })), answerTimeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('error', (error: NodeJS.ErrnoException) => {
        fail(error.code ?? error.message);
        resolve();
      });
      req.end();
    });
  const lanes = Array.from({ length: options.lanes ?? 4 }, async () => {
    while (!stopped && counts.sent < maxRequests) await once();
  });
  return {
    answered: (n) => {
      const target = counts.answered + n;
      return new Promise((resolve) => {
        waiters.push({ n: target, resolve });
        notify();
      });
    },
    async stop() {
      stopped = true;
      await Promise.all(lanes);
      return counts;
    },
  };
}

/** "x of y lost" with the kinds, for assertion messages. */
export function describeCounts(c: Counts): string {
  return `${c.sent} sent, ${c.answered} answered ${JSON.stringify(c.statuses)}, failures ${JSON.stringify(c.failures)}`;
}
