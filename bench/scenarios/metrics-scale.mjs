// Scenario 9: the metrics listener and `scale`, on a 2-worker hello-world drover of its own
// (metrics on). Per round:
//   - scrape latency: GET /metrics on a kept-alive connection (as Prometheus scrapes) against
//     a `status` request on the control socket (the same client code as the CLI, a connection
//     each as the CLI does, in this process: no node start-up in either), interleaved, medians;
//   - master CPU per scrape against master CPU per status request: 10 a second of each, and
//     an idle window, interleaved (CPU from /proc, minus the idle window's);
//   - throughput with a new connection per request (the load that passes through the master
//     in rr mode) with a scrape every 100 ms (ten times Prometheus' usual rate) against the
//     same load with no scrape, interleaved;
//   - `scale +1` then `scale -1` under keep-alive load: the CLI's wall time until the new
//     worker is ready (it returns then) against a `reload` of the same service, and the
//     failed requests over the whole load run (target 0).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { httpLoad } from '../lib/load.mjs';
import { freePort } from '../lib/project.mjs';
import { absolute, fmt, range, ratio, targetText } from '../lib/report.mjs';
import { sleep } from '../lib/procs.mjs';
import { median, summarize } from '../lib/stats.mjs';
import { benchDir, DroverService, procRss, repoDir } from '../lib/targets.mjs';

export const id = 'metrics-scale';
export const title = 'Metrics scrape cost and `scale` under load';

const SCRAPES_PER_ROUND = 40;
const SCRAPE_EVERY_MS = 100;

export async function run(ctx) {
  const s = ctx.settings;
  const target = await startMetricsTarget(ctx);
  const { ControlClient } = await import(pathToFileURL(path.join(repoDir, 'dist', 'control', 'client.js')).href);
  const socket = path.join(target.root, 'pidfiles', 'm.sock');
  const statusRequest = async () => {
    const client = await ControlClient.connect('m', socket);
    try {
      await client.request({ type: 'status' }, 10_000);
    } finally {
      client.close();
    }
  };
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
  await get(target.metricsPort, '/metrics', keepAlive);
  const rounds = [];
  for (let round = 0; round < s.rounds; round++) {
    const r = { scrapeMs: 0, statusMs: 0, scrapeBytes: 0, cpuPerScrapeMs: 0, cpuPerStatusMs: 0, rpsNoScrape: 0, rpsScrape: 0, scaleUpMs: 0, scaleDownMs: 0, reloadMs: 0, failed: 0, requests: 0 };
    const scrapes = [];
    const statuses = [];
    for (let i = 0; i < SCRAPES_PER_ROUND; i++) {
      const first = i % 2 === 0;
      if (first) scrapes.push(await timed(async () => (r.scrapeBytes = (await get(target.metricsPort, '/metrics', keepAlive)).length)));
      statuses.push(await timed(statusRequest));
      if (!first) scrapes.push(await timed(() => get(target.metricsPort, '/metrics', keepAlive)));
    }
    r.scrapeMs = median(scrapes);
    r.statusMs = median(statuses);
    const scrape = () => get(target.metricsPort, '/metrics', keepAlive);
    const cpu = {};
    const windows = round % 2 === 0 ? ['idle', 'scrape', 'status'] : ['status', 'scrape', 'idle'];
    for (const w of windows) cpu[w] = await masterCpu(ctx, target, w === 'idle' ? null : w === 'scrape' ? scrape : statusRequest);
    r.cpuPerScrapeMs = Math.max(0, cpu.scrape.total - cpu.idle.total) / cpu.scrape.calls * 1000;
    r.cpuPerStatusMs = Math.max(0, cpu.status.total - cpu.idle.total) / cpu.status.calls * 1000;
    const order = round % 2 === 0 ? [false, true] : [true, false];
    for (const scraping of order) {
      const rps = await loadWithScrapes(ctx, target, scraping);
      if (scraping) r.rpsScrape = rps;
      else r.rpsNoScrape = rps;
    }
    Object.assign(r, await scaleUnderLoad(ctx, target));
    rounds.push(r);
    ctx.log(`  round ${round + 1}/${s.rounds}: scrape ${fmt(r.scrapeMs)} ms vs status ${fmt(r.statusMs)} ms; master cpu ${fmt(r.cpuPerScrapeMs, 3)} ms per scrape vs ${fmt(r.cpuPerStatusMs, 3)} per status; rps ${fmt(r.rpsScrape, 0)} scraped vs ${fmt(r.rpsNoScrape, 0)}; scale +1 ${fmt(r.scaleUpMs, 0)} ms, -1 ${fmt(r.scaleDownMs, 0)} ms, reload ${fmt(r.reloadMs, 0)} ms; ${r.failed} failed of ${r.requests}`);
  }
  keepAlive.destroy();
  const masterRss = procRss(target.master);
  const plainMaster = ctx.idleMemory.get('drover-rr')?.master.rss ?? null;
  return summarizeRounds(rounds, { masterRss, plainMaster });
}

async function startMetricsTarget(ctx) {
  const root = path.join(ctx.tempDir, 'metrics');
  fs.mkdirSync(path.join(root, 'config'), { recursive: true });
  fs.writeFileSync(path.join(root, 'package.json'), '{ "type": "module", "private": true }\n');
  fs.copyFileSync(path.join(benchDir, 'reference', 'hello-app.mjs'), path.join(root, 'hello-app.mjs'));
  const port = await freePort();
  const metricsPort = await freePort();
  const config = { listen: `http://127.0.0.1:${port}`, count: 2, app: 'hello-app.mjs', stopTimeout: 10_000, metrics: { listen: `127.0.0.1:${metricsPort}` } };
  fs.writeFileSync(path.join(root, 'config', 'worker_m.json'), `${JSON.stringify(config, null, 2)}\n`);
  const target = new DroverService({ name: 'drover-metrics', root, service: 'm', port, registry: ctx.registry });
  target.metricsPort = metricsPort;
  ctx.log(`  starting drover with metrics on 127.0.0.1:${port} (metrics ${metricsPort})`);
  await target.start();
  ctx.started.set('drover-metrics', target); // stopped with the others at the end
  await sleep(ctx.settings.settleMs);
  return target;
}

/** The master's CPU seconds over a window of `calls` (10 a second), or an idle window of the same length. */
async function masterCpu(ctx, target, call) {
  const n = 10 * Math.max(3, ctx.settings.durationS);
  const before = ctx.cpuSeconds(target.master);
  for (let i = 0; i < n; i++) {
    if (call) await call();
    await sleep(SCRAPE_EVERY_MS);
  }
  return { total: ctx.cpuSeconds(target.master) - before, calls: n };
}

async function loadWithScrapes(ctx, target, scraping) {
  const s = ctx.settings;
  let scraper = null;
  let stop = false;
  if (scraping) {
    scraper = (async () => {
      while (!stop) {
        await get(target.metricsPort, '/metrics');
        await sleep(SCRAPE_EVERY_MS);
      }
    })();
  }
  const load = await httpLoad({ port: target.port, connections: s.newConnectionConcurrency, durationMs: s.durationS * 1000, keepAlive: false });
  stop = true;
  await scraper;
  return load.requests / (load.elapsedMs / 1000);
}

async function scaleUnderLoad(ctx, target) {
  const s = ctx.settings;
  // Long enough for three commands that take a few seconds each on a busy 2-core machine.
  const loading = httpLoad({ port: target.port, connections: 8, durationMs: (s.durationS * 4 + 6) * 1000, keepAlive: true });
  const startedAt = performance.now();
  await sleep(1000);
  const up = await timedCli(target, ['scale', '+1']);
  const down = await timedCli(target, ['scale', '-1']);
  const reload = await timedCli(target, ['reload']);
  const commandsDoneMs = performance.now() - startedAt;
  const load = await loading;
  await target.status();
  return { scaleUpMs: up, scaleDownMs: down, reloadMs: reload, failed: load.failed, requests: load.requests, insideLoad: commandsDoneMs < load.elapsedMs };
}

async function timedCli(target, args) {
  const r = await target.cli(args, 60_000);
  if (r.code !== 0) throw new Error(`drover m ${args.join(' ')} exited ${r.code}:\n${r.stderr || r.stdout}`);
  return r.ms;
}

function get(port, urlPath, agent = false) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`GET ${urlPath}: ${res.statusCode}`))));
    });
    req.on('error', reject);
  });
}

async function timed(fn) {
  const startedAt = performance.now();
  await fn();
  return performance.now() - startedAt;
}

function summarizeRounds(rounds, { masterRss, plainMaster }) {
  const pick = (key) => rounds.map((r) => r[key]);
  const ratios = [
    ratio({ id: 'scrape-vs-status', name: 'GET /metrics ÷ a status request (control socket), latency', of: 'GET /metrics', reference: 'status over the control socket', a: pick('scrapeMs'), b: pick('statusMs'), target: { op: '<=', value: 1.0 }, better: 'lower' }),
    ratio({ id: 'scrape-master-cpu', name: 'master CPU ms per scrape ÷ per status request', of: 'GET /metrics', reference: 'status over the control socket', a: pick('cpuPerScrapeMs'), b: pick('cpuPerStatusMs'), target: { op: '<=', value: 1.0 }, better: 'lower' }),
    ratio({ id: 'scrape-throughput', name: 'new-connection rps (rr), scraped 10/s ÷ not scraped', of: 'scraped every 100 ms', reference: 'no scrape', a: pick('rpsScrape'), b: pick('rpsNoScrape'), target: { op: '>=', value: 0.98 } }),
    ratio({ id: 'scale-up-vs-reload', name: '`scale +1` wall time (new worker ready) ÷ `reload` (2 workers)', of: 'scale +1', reference: 'reload', a: pick('scaleUpMs'), b: pick('reloadMs'), better: 'lower' }),
    absolute({ id: 'scale-failed-requests', name: 'failed requests over scale +1, scale -1 and a reload', of: 'drover-metrics', unit: 'requests', values: pick('failed'), target: { op: '<=', value: 0, unit: 'requests' } }),
  ];
  const rows = ratios.map((r) =>
    r.ratio
      ? { figure: r.name, drover: range(r.of_values, r.id.includes('cpu') ? 3 : undefined), reference: range(r.reference_values, r.id.includes('cpu') ? 3 : undefined), ratio: range(r.ratio), target: targetText(r.target), met: r.met }
      : { figure: r.name, drover: range(r.value, 0), reference: `of ${range(summarize(pick('requests')), 0)} requests`, ratio: '', target: targetText(r.target), met: r.met },
  );
  rows.push({ figure: '  scrape size / `scale -1` (drained) wall time', drover: `${fmt(median(pick('scrapeBytes')) / 1024, 1)} KiB`, reference: `${range(summarize(pick('scaleDownMs')), 0)} ms` });
  if (rounds.some((r) => !r.insideLoad)) rows.push({ figure: '  warning', drover: 'the scale and reload commands outlasted their load run: its failed count covers only part of them' });
  if (masterRss && plainMaster) rows.push({ figure: '  master RSS with metrics (after the rounds) / without (idle, scenario 1)', drover: `${fmt(masterRss / 1048576, 1)} MiB`, reference: `${fmt(plainMaster / 1048576, 1)} MiB` });
  return { title, figures: { rounds, masterRss, plainMaster }, ratios, rows };
}
