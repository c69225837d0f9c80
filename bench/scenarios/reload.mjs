// Scenario 2: a rolling reload of 2 workers under keep-alive load. The load is the bench's own
// closed-loop client (lib/http-load.mjs), which, like wrk, browsers and node's http.Agent,
// opens a new connection when a response says "Connection: close" (what a draining worker
// answers). `reloadAtS` seconds into the load the reload starts: `drover http reload` (the CLI
// command, timed from spawn to exit) or, for the reference, the bare primary's naive rolling
// reload (fork, wait for listening, worker.disconnect()), timed over IPC. Figures per round:
// failed requests over the whole run, p99 while the reload ran against p99 before it, and the
// reload's wall time. With reloadAutocannon (full mode) one more run per target shows what
// autocannon counts, for comparison: it reconnects silently when a server closes a socket with
// a request in flight, so it undercounts failed requests (see lib/http-load.mjs).
import { autocannonLoad, httpLoad, windowOf } from '../lib/load.mjs';
import { absolute, fmt, range, ratio, targetText } from '../lib/report.mjs';
import { sleep } from '../lib/procs.mjs';
import { summarize } from '../lib/stats.mjs';

export const id = 'reload';
export const title = 'Rolling reload of 2 workers under keep-alive load';

const TARGETS = ['drover-rr', 'bare-rr'];
const WARMUP_MS = 500;

export async function run(ctx) {
  const s = ctx.settings;
  const runs = Object.fromEntries(TARGETS.map((t) => [t, []]));
  for (const name of TARGETS) await ctx.target(name);
  for (let round = 0; round < s.reloadRounds; round++) {
    const order = round % 2 === 0 ? TARGETS : [...TARGETS].reverse();
    for (const name of order) {
      const r = await reloadUnderLoad(ctx, ctx.started.get(name));
      runs[name].push(r);
      ctx.log(`  round ${round + 1}/${s.reloadRounds} ${name}: reload ${fmt(r.wallMs, 0)} ms, ${r.failed} failed, p99 ${fmt(r.p99During)} ms during vs ${fmt(r.p99Steady)} ms steady`);
    }
  }
  const autocannonView = {};
  if (s.reloadAutocannon) {
    for (const name of TARGETS) {
      const r = await reloadUnderAutocannon(ctx, ctx.started.get(name));
      autocannonView[name] = r;
      ctx.log(`  autocannon's view, ${name}: ${r.errors} errors, ${r.non2xx} non-2xx of ${r.requests}`);
    }
  }
  return summarizeRuns(runs, autocannonView);
}

async function reloadUnderLoad(ctx, target) {
  const s = ctx.settings;
  const loading = httpLoad({ port: target.port, connections: s.connections, durationMs: s.reloadLoadS * 1000, keepAlive: true });
  const loadStartedAt = performance.now();
  await sleep(s.reloadAtS * 1000);
  const reloadFrom = performance.now();
  const reload = await target.reload();
  const reloadTo = performance.now();
  const load = await loading;
  const from = reloadFrom - load.startedAt;
  const to = reloadTo - load.startedAt;
  const steady = windowOf(load, WARMUP_MS, from);
  const during = windowOf(load, from, to);
  const after = windowOf(load, to, load.elapsedMs);
  return {
    wallMs: reload.wallMs,
    reportedMs: reload.reportedMs,
    drainedMs: reload.drainedMs ?? null,
    output: reload.output ?? null,
    finishedInsideLoad: to < load.elapsedMs,
    failed: load.failed,
    failedDuring: during.failed,
    errors: load.errors,
    requests: load.requests,
    connectionsOpened: load.connectionsOpened,
    rpsSteady: steady.rps,
    rpsDuring: during.rps,
    rpsAfter: after.rps,
    p99Steady: steady.p99,
    p99During: during.p99,
    p99After: after.p99,
    loadStartSkewMs: load.startedAt - loadStartedAt,
  };
}

async function reloadUnderAutocannon(ctx, target) {
  const s = ctx.settings;
  const loading = autocannonLoad({ port: target.port, connections: s.connections, durationS: s.reloadLoadS });
  await sleep(s.reloadAtS * 1000);
  const reload = await target.reload();
  const load = await loading;
  return { wallMs: reload.wallMs, requests: load.requests, errors: load.errors, timeouts: load.timeouts, non2xx: load.non2xx };
}

function summarizeRuns(runs, autocannonView) {
  const d = runs['drover-rr'];
  const b = runs['bare-rr'];
  const pick = (list, key) => list.map((r) => r[key]);
  const p99Ratio = (list) => list.map((r) => r.p99During / r.p99Steady);
  const ratios = [
    absolute({ id: 'reload-failed-requests', name: 'failed requests per reload, drover', of: 'drover-rr', unit: 'requests', values: pick(d, 'failed'), target: { op: '<=', value: 0, unit: 'requests' } }),
    absolute({ id: 'reload-wall-ms', name: '`drover http reload` wall time', of: 'drover-rr', unit: 'ms', values: pick(d, 'wallMs'), target: { op: '<=', value: 400, unit: 'ms' } }),
    ratio({ id: 'reload-wall-vs-bare', name: 'reload wall time, drover CLI ÷ bare primary (IPC)', of: 'drover-rr', reference: 'bare-rr (naive disconnect)', a: pick(d, 'wallMs'), b: pick(b, 'wallMs'), better: 'lower' }),
    ratio({ id: 'reload-p99-during-vs-steady', name: 'p99 during reload ÷ steady p99, drover', of: 'drover-rr during reload', reference: 'drover-rr before reload', a: pick(d, 'p99During'), b: pick(d, 'p99Steady'), better: 'lower' }),
    ratio({ id: 'reload-p99-during-vs-bare', name: 'p99 during reload, drover ÷ bare', of: 'drover-rr', reference: 'bare-rr (naive disconnect)', a: pick(d, 'p99During'), b: pick(b, 'p99During'), better: 'lower' }),
  ];
  const rows = [];
  for (const r of ratios) {
    if (r.ratio) rows.push({ figure: r.name, drover: range(r.of_values), reference: range(r.reference_values), ratio: range(r.ratio), target: targetText(r.target), met: r.met });
    else if (r.id === 'reload-failed-requests') rows.push({ figure: r.name, drover: range(r.value, 0), reference: `bare, naive disconnect: ${range(summarize(pick(b, 'failed')), 0)}`, ratio: '', target: targetText(r.target), met: r.met });
    else rows.push({ figure: r.name, drover: `${range(r.value, 0)} ms`, reference: `bare: ${range(summarize(pick(b, 'wallMs')), 0)} ms`, ratio: '', target: targetText(r.target), met: r.met });
  }
  const drained = d.some((r) => r.drainedMs !== null) ? `, drained ${range(summarize(pick(d, 'drainedMs')), 0)} ms` : '';
  rows.push({ figure: '  drover: reported by reload / p99 steady → during', drover: `rolled ${range(summarize(pick(d, 'reportedMs')), 0)} ms${drained}`, reference: `${range(summarize(pick(d, 'p99Steady')))} → ${range(summarize(pick(d, 'p99During')))} ms`, ratio: `p99 ratio ${range(summarize(p99Ratio(d)))}` });
  rows.push({ figure: '  bare: p99 steady → during', drover: '', reference: `${range(summarize(pick(b, 'p99Steady')))} → ${range(summarize(pick(b, 'p99During')))} ms`, ratio: `p99 ratio ${range(summarize(p99Ratio(b)))}` });
  for (const [name, v] of Object.entries(autocannonView)) {
    rows.push({ figure: `  autocannon's count (undercounts: silent reconnects), ${name}`, drover: `${v.errors} errors, ${v.non2xx} non-2xx`, reference: `of ${v.requests} requests`, ratio: `reload ${fmt(v.wallMs, 0)} ms` });
  }
  if (d.some((r) => !r.finishedInsideLoad)) rows.push({ figure: '  warning', drover: 'a reload outlasted its load run; raise reloadLoadS' });
  return { title, figures: { runs, autocannonView }, ratios, rows };
}
