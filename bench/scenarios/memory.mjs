// Scenario 4: memory. drover's master against the bare node:cluster primary (DESIGN.md §8:
// ≤ 1.08 × idle, growth over the load runs ≤ 1.2 × the bare primary's), drover's workers
// against bare workers, idle
// (read once right after each started, before any load) and after load (now: after the
// throughput scenario, or after a short keep-alive load of its own if that did not run).
// Every figure is VmRSS from /proc/<pid>/status, read the same way for both; drover's own
// `status --json` figure is kept beside it in the results file.
import { keepAliveLoad } from '../lib/load.mjs';
import { absolute, fmt, range, ratio, targetText } from '../lib/report.mjs';
import { MiB } from '../lib/stats.mjs';

export const id = 'memory';
export const title = 'Master and worker RSS (VmRSS), idle and after load';

const PAIRS = [
  ['drover-rr', 'bare-rr'],
  ['drover-none', 'bare-none'],
];

export async function run(ctx) {
  const s = ctx.settings;
  const pairs = PAIRS.filter(([d, b]) => ctx.started.has(d) && ctx.started.has(b));
  if (pairs.length === 0) pairs.push(PAIRS[0]);
  const names = pairs.flat();
  for (const name of names) await ctx.target(name);
  for (const name of names) {
    if (ctx.loaded.has(name)) continue;
    ctx.log(`  ${name}: ${s.durationS}s keep-alive load before the "after load" reading`);
    await keepAliveLoad({ port: ctx.started.get(name).port, connections: s.connections, durationS: s.durationS });
    ctx.loaded.add(name);
  }
  const afterLoad = new Map();
  for (const name of names) afterLoad.set(name, await ctx.started.get(name).counters());

  const figures = {};
  const ratios = [];
  const rows = [];
  for (const [drover, bare] of pairs) {
    for (const [when, readings] of [['idle', ctx.idleMemory], ['after load', afterLoad]]) {
      const d = readings.get(drover);
      const b = readings.get(bare);
      const key = `${drover} ${when}`;
      figures[key] = {
        droverMasterMiB: d.master.rss / MiB,
        droverMasterReportedMiB: d.master.reportedRss / MiB,
        droverWorkersMiB: d.workers.map((w) => w.rss / MiB),
        bareMasterMiB: b.master.rss / MiB,
        bareWorkersMiB: b.workers.map((w) => w.rss / MiB),
      };
      const f = figures[key];
      // DESIGN.md §8: idle, the master within 1.08 × the bare primary; after load, see growth below.
      const masterTarget = when === 'idle' ? { op: '<=', value: 1.08 } : null;
      const master = ratio({ id: `master-rss-${when.replace(' ', '-')}-${drover}`, name: `master RSS ${when}, ${drover} ÷ ${bare} primary`, of: drover, reference: bare, a: [f.droverMasterMiB], b: [f.bareMasterMiB], target: masterTarget, better: 'lower' });
      const worker = ratio({ id: `worker-rss-${when.replace(' ', '-')}-${drover}`, name: `worker RSS ${when} (mean), ${drover} ÷ ${bare}`, of: drover, reference: bare, a: [mean(f.droverWorkersMiB)], b: [mean(f.bareWorkersMiB)], better: 'lower' });
      const abs = absolute({ id: `master-rss-mib-${when.replace(' ', '-')}-${drover}`, name: `master RSS ${when}, ${drover}`, of: drover, unit: 'MiB', values: [f.droverMasterMiB] });
      ratios.push(master, worker, abs);
      rows.push({ figure: master.name, drover: `${fmt(f.droverMasterMiB, 1)} MiB (status --json: ${fmt(f.droverMasterReportedMiB, 1)})`, reference: `${fmt(f.bareMasterMiB, 1)} MiB`, ratio: range(master.ratio), target: targetText(master.target), met: master.met });
      rows.push({ figure: worker.name, drover: `${f.droverWorkersMiB.map((x) => fmt(x, 1)).join(' / ')} MiB`, reference: `${f.bareWorkersMiB.map((x) => fmt(x, 1)).join(' / ')} MiB`, ratio: range(worker.ratio), target: '' });
    }
    // How much each master grew over the load runs (new connections per request included).
    const idle = figures[`${drover} idle`];
    const after = figures[`${drover} after load`];
    const droverGrowth = after.droverMasterMiB - idle.droverMasterMiB;
    const bareGrowth = after.bareMasterMiB - idle.bareMasterMiB;
    const growth = ratio({ id: `master-rss-growth-${drover}`, name: `master RSS growth over the load runs, ${drover} ÷ ${bare} primary`, of: drover, reference: bare, a: [Math.max(droverGrowth, 0)], b: [Math.max(bareGrowth, 0)], target: { op: '<=', value: 1.2 }, better: 'lower' });
    ratios.push(growth);
    const signed = (x) => `${x >= 0 ? '+' : ''}${fmt(x, 1)} MiB`;
    rows.push({ figure: growth.name, drover: signed(droverGrowth), reference: signed(bareGrowth), ratio: range(growth.ratio), target: targetText(growth.target), met: growth.met });
  }
  // Whether drover's workers loaded tsx for this plain-JS app (they should not): a worker that
  // registered tsx's loader has one more thread than a bare worker, its module hooks thread
  // (the example app's workers in resident-vs-fresh show it).
  const [d0, b0] = pairs[0];
  const droverThreads = ctx.idleMemory.get(d0).workers.map((w) => w.threads);
  const bareThreads = ctx.idleMemory.get(b0).workers.map((w) => w.threads);
  figures.threadsPerWorker = { [d0]: droverThreads, [b0]: bareThreads };
  rows.push({
    figure: '  threads per worker, idle (one more = tsx\'s loader hooks thread)',
    drover: droverThreads.join(' / '),
    reference: bareThreads.join(' / '),
    ratio: droverThreads.every((n) => n !== null && n <= Math.max(...bareThreads)) ? 'no TypeScript loader in drover\'s workers' : 'drover\'s workers have more threads than bare ones',
  });
  return { title, figures, ratios, rows };
}

function mean(xs) {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
