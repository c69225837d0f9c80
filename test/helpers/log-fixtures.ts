// An app that talks: every request writes a line naming it, so a test can count which lines
// reached the log. GET /seq?n=42 writes "seq=42 …" on stdout; /err?n=42 writes "err=42" on
// stderr; /crash writes a last word and a stack on stderr, then exits with code 1.
import http from 'node:http';

export const CHATTY_APP = `
const pad = 'x'.repeat(120);
export default (req, res) => {
  const url = new URL(req.url, 'http://x');
  const n = url.searchParams.get('n') ?? '-';
  if (url.pathname === '/crash') {
    // As an app that logs its fatal error and exits (an uncaught throw would instead get the
    // graceful replacement of src/worker/uncaught.ts, which is not a crash).
    console.error('last words of ' + process.pid + ': the database is on fire');
    setImmediate(() => { console.error(new Error('crashed on purpose by the test').stack); process.exit(1); });
    res.end('crashing');
    return;
  }
  if (url.pathname === '/err') console.error('err=' + n);
  else console.log('seq=' + n + ' ' + pad);
  res.end('ok ' + n);
};
`;

/** GET `path` with `?n=<n>` for each n in [from, to), `parallel` at a time on keep-alive connections; rejects on any failure. */
export async function sendNumbered(port: number, path: string, from: number, to: number, parallel = 4): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: parallel });
  let next = from;
  const one = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: `${path}?n=${n}`, agent, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${path}?n=${n}: HTTP ${res.statusCode}`))));
      });
      req.on('timeout', () => req.destroy(new Error(`${path}?n=${n}: timed out`)));
      req.on('error', reject);
    });
  try {
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next < to) await one(next++);
      }),
    );
  } finally {
    agent.destroy();
  }
}

/** The sequence numbers of the "seq=N" lines in `text`, with how often each appears. */
export function countSeq(text: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const m of text.matchAll(/seq=(\d+) /g)) counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + 1);
  return counts;
}
