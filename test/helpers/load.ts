// A real load generator (autocannon) against the service under test, on 127.0.0.1, bounded
// in time. Every failure kind is counted: errors, timeouts, non-2xx answers, resets.
import autocannon from 'autocannon';

export interface LoadResult {
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  resets: number;
  /** Error messages seen, with counts (ECONNRESET, socket hang up, ...). */
  errorKinds: Record<string, number>;
}

export interface Load {
  /** Stops the load and resolves with what it counted. */
  stop(): Promise<LoadResult>;
  /** Resolves once `n` responses have come back (the load is really flowing). */
  responses(n: number): Promise<void>;
}

export interface LoadOptions {
  connections?: number;
  /** A new connection per request (`Connection: close`) instead of keep-alive. */
  closeEachRequest?: boolean;
  /** Hard upper bound; stop() normally comes first. */
  maxSeconds?: number;
}

export function startLoad(url: string, options: LoadOptions = {}): Load {
  const errorKinds: Record<string, number> = {};
  let responses = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  // Called without a callback, autocannon returns its instance (an EventEmitter with stop()).
  const instance = autocannon({
    url,
    connections: options.connections ?? 10,
    duration: options.maxSeconds ?? 60,
    headers: options.closeEachRequest ? { connection: 'close' } : {},
    timeout: 10,
  }) as unknown as autocannon.Instance;
  instance.on('reqError', (error: Error & { code?: string }) => {
    const kind = error.code ?? error.message;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  });
  instance.on('response', () => {
    responses += 1;
    for (const w of waiters.filter((w) => responses >= w.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    instance.on('done', resolve);
    instance.on('error', reject);
  });
  return {
    responses: (n) => (responses >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    async stop() {
      instance.stop();
      const r = await finished;
      return { requests: r.requests.total, errors: r.errors, timeouts: r.timeouts, non2xx: r.non2xx, resets: r.resets, errorKinds };
    },
  };
}
