// Scenario 5: resident vs a fresh process per request, for the example app (the repo's app/,
// TypeScript through tsx, convention routing), on GET /worker/HttpExamples/index.
//   resident: a request to a running drover (2 workers) on a kept-alive connection; the
//             figure per round is the median of `residentRequestsPerRound` sequential requests.
//   fresh:    bench/reference/fresh-request.mjs, a new node process that boots drover's own
//             worker entry with the service's validated config (on another free port), answers
//             that one request on loopback and exits; timed from spawn to exit.
// Rounds interleave one fresh process with one batch of resident requests. The headline is
// fresh ÷ resident (the seed's "366 ms → 9 ms" for PHP; the anchors' Express figure is
// 0.44 ms vs 138 ms).
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fmt, range, ratio } from '../lib/report.mjs';
import { cleanEnv, run as runCommand } from '../lib/procs.mjs';
import { freePort } from '../lib/project.mjs';
import { median } from '../lib/stats.mjs';
import { benchDir, repoDir } from '../lib/targets.mjs';

export const id = 'resident-vs-fresh';
export const title = 'One request: resident drover worker vs a fresh process (example app)';

const PATH = '/worker/HttpExamples/index';
const EXPECT = 'hello from drover';

export async function run(ctx) {
  const s = ctx.settings;
  const drover = await ctx.target('drover-example');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < 20; i++) await get(drover.port, agent); // warm: controller loaded, JIT
    const env = await freshWorkerEnv(drover);
    const resident = [];
    const fresh = [];
    for (let round = 0; round < s.freshRuns; round++) {
      const f = await runCommand(process.execPath, [path.join(benchDir, 'reference', 'fresh-request.mjs'), PATH], { cwd: drover.root, env, timeoutMs: 30_000, registry: ctx.registry });
      if (f.code !== 0 || !f.stdout.includes(EXPECT)) throw new Error(`fresh-request.mjs failed (${f.code}): ${f.stderr || f.stdout}`);
      fresh.push(f.ms);
      const batch = [];
      for (let i = 0; i < s.residentRequestsPerRound; i++) batch.push(await get(drover.port, agent));
      resident.push(median(batch));
    }
    // The example app's workers load tsx: one thread more than a plain-JS worker (see memory).
    const threads = (await drover.counters()).workers.map((w) => w.threads);
    const r = ratio({ id: 'fresh-vs-resident', name: 'one request: fresh process ÷ resident worker', of: 'fresh node process', reference: 'resident drover worker', a: fresh, b: resident, better: 'higher' });
    const rows = [
      { figure: r.name, drover: `${range(r.reference_values, 2)} ms resident`, reference: `${range(r.of_values, 0)} ms fresh`, ratio: `${range(r.ratio, 0)}×`, target: '' },
      { figure: `  ${PATH}, ${s.freshRuns} rounds`, drover: `drover start -d took ${fmt(drover.startMs, 0)} ms`, reference: `threads per worker (tsx loaded) ${threads.join(' / ')}` },
    ];
    return { title, figures: { residentMs: resident, freshMs: fresh, droverStartMs: drover.startMs, path: PATH, threadsPerWorker: threads }, ratios: [r], rows };
  } finally {
    agent.destroy();
  }
}

/**
 * What a drover master puts in a worker's environment: the service's config as drover itself
 * loads and validates it (dist/config/load.js), listening on a port of its own.
 */
async function freshWorkerEnv(drover) {
  const { loadServiceConfig } = await import(pathToFileURL(path.join(repoDir, 'dist', 'config', 'load.js')).href);
  const config = await loadServiceConfig(drover.root, drover.service);
  const port = await freePort();
  const listen = { ...config.listen, host: '127.0.0.1', port, url: `http://127.0.0.1:${port}` };
  return cleanEnv({
    DROVER_WORKER: '1',
    DROVER_SERVICE: drover.service,
    DROVER_WORKER_ID: '1',
    DROVER_ROLE: 'http',
    DROVER_GENERATION: '1',
    DROVER_ROOT: drover.root,
    DROVER_DEBUG: '0',
    DROVER_CONFIG: JSON.stringify({ ...config, listen }),
  });
}

/** One GET on the kept-alive agent; resolves with its latency in ms, rejects on a bad answer. */
function get(port, agent) {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const req = http.get({ host: '127.0.0.1', port, path: PATH, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => {
        const ms = performance.now() - startedAt;
        if (res.statusCode !== 200 || !body.includes(EXPECT)) reject(new Error(`GET ${PATH}: ${res.statusCode} ${body.slice(0, 200)}`));
        else resolve(ms);
      });
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${PATH} timed out`)));
  });
}
