// Scenario 10: logs under a chatty app (one ~100-byte line per request). drover's workers write
// to pipes (stdout in batches of up to 5 ms); the master cuts the lines, prefixes them (time,
// service, worker id, pid, stream) and appends them to logs/chatty.log (a write per 5 ms
// window). References, bare node:cluster primaries: workers appending to one file themselves
// ("workers write directly", the other design) with a hand-built fs.writeSync line (the row
// with the target), the same with the app's own console.log lines and drover's prefix (the
// same app code as drover's row), and workers whose output goes to /dev/null (no log at all).
// The ratios say what carrying the log costs in throughput; the master's CPU per line what it
// costs on the accept path (the figure that holds on a shared machine). Keep-alive load
// (the bench client, lib/load.mjs), rounds interleaved.
import fs from 'node:fs';
import path from 'node:path';
import { keepAliveLoad } from '../lib/load.mjs';
import { freePort } from '../lib/project.mjs';
import { fmt, range, ratio, targetText } from '../lib/report.mjs';
import { summarize } from '../lib/stats.mjs';
import { BareCluster, benchDir, DroverService } from '../lib/targets.mjs';

export const id = 'logs-chatty';
export const title = 'Logs under a chatty app (a line per request), 2 workers';

export async function run(ctx) {
  const s = ctx.settings;
  const root = path.join(ctx.tempDir, 'chatty');
  fs.mkdirSync(path.join(root, 'config'), { recursive: true });
  fs.writeFileSync(path.join(root, 'package.json'), '{ "type": "module", "private": true }\n');
  for (const file of ['hello-app.mjs', 'chatty-app.mjs', 'chatty-file-app.mjs', 'chatty-console-file-app.mjs']) fs.copyFileSync(path.join(benchDir, 'reference', file), path.join(root, file));
  const appPath = path.join(root, 'chatty-app.mjs');
  const ports = { drover: await freePort(), bare: await freePort(), direct: await freePort(), directConsole: await freePort() };
  fs.writeFileSync(path.join(root, 'config', 'worker_chatty.json'), `${JSON.stringify({ listen: `http://127.0.0.1:${ports.drover}`, count: 2, app: 'chatty-app.mjs' }, null, 2)}\n`);
  const targets = {
    drover: new DroverService({ name: 'drover-chatty', root, service: 'chatty', port: ports.drover, registry: ctx.registry }),
    direct: new BareCluster({ name: 'bare-chatty-file', appPath: path.join(root, 'chatty-file-app.mjs'), port: ports.direct, schedulingPolicy: 'rr', registry: ctx.registry }),
    directConsole: new BareCluster({ name: 'bare-chatty-console-file', appPath: path.join(root, 'chatty-console-file-app.mjs'), port: ports.directConsole, schedulingPolicy: 'rr', registry: ctx.registry }),
    bare: new BareCluster({ name: 'bare-chatty', appPath, port: ports.bare, schedulingPolicy: 'rr', registry: ctx.registry }),
  };
  const runs = { drover: [], direct: [], directConsole: [], bare: [] };
  const names = Object.keys(runs);
  try {
    for (const t of Object.values(targets)) await t.start();
    for (const t of Object.values(targets)) await keepAliveLoad({ port: t.port, connections: s.connections, durationS: Math.max(1, s.warmupS) });
    for (let round = 0; round < s.rounds; round++) {
      for (const name of round % 2 === 0 ? names : [...names].reverse()) {
        const t = targets[name];
        const counters = await t.counters();
        const master = counters.master.pid;
        const workers = counters.workers.map((w) => w.pid);
        const cpuBefore = ctx.cpuSeconds(master);
        const workersBefore = workers.map((pid) => ctx.cpuSeconds(pid));
        const startedAt = performance.now();
        const r = await keepAliveLoad({ port: t.port, connections: s.connections, durationS: s.durationS });
        const seconds = (performance.now() - startedAt) / 1000;
        const masterCpu = (ctx.cpuSeconds(master) - cpuBefore) / seconds;
        // CPU per request of master + workers: on a shared machine this holds where req/s swings.
        const workersCpu = workers.reduce((sum, pid, i) => sum + (ctx.cpuSeconds(pid) - workersBefore[i]), 0);
        const cpuUsPerRequest = ((masterCpu * seconds + workersCpu) / r.requests) * 1e6;
        runs[name].push({ rps: r.rps, p99: r.p99, failed: r.failed, masterCpu, cpuUsPerRequest });
        ctx.log(`  logs round ${round + 1}/${s.rounds} ${name}: ${fmt(r.rps, 0)} req/s (= log lines/s), master CPU ${fmt(masterCpu)} s/s, CPU ${fmt(cpuUsPerRequest, 1)} µs/request, failed ${r.failed}`);
      }
    }
    const status = await targets.drover.status();
    const dropped = status.log?.dropped ?? null;
    const logBytes = fs.statSync(path.join(root, 'logs', 'chatty.log')).size;
    const ratios = [
      ratio({ id: 'logs-chatty-rps-direct', name: 'chatty app req/s, drover (master writes the log) ÷ bare, workers append to a file', of: 'drover-chatty', reference: 'bare-chatty-file', a: runs.drover.map((x) => x.rps), b: runs.direct.map((x) => x.rps), target: { op: '>=', value: 0.9 }, better: 'higher' }),
      ratio({ id: 'logs-chatty-rps-console-direct', name: 'chatty app req/s, drover ÷ bare, the same console.log lines (with drover\'s prefix) appended to a file by each worker', of: 'drover-chatty', reference: 'bare-chatty-console-file', a: runs.drover.map((x) => x.rps), b: runs.directConsole.map((x) => x.rps), better: 'higher' }),
      ratio({ id: 'logs-chatty-rps-null', name: 'chatty app req/s, drover ÷ bare, output to /dev/null', of: 'drover-chatty', reference: 'bare-chatty', a: runs.drover.map((x) => x.rps), b: runs.bare.map((x) => x.rps), better: 'higher' }),
    ];
    const rows = ratios.map((r) => ({ figure: r.name, drover: range(r.of_values, 0), reference: range(r.reference_values, 0), ratio: range(r.ratio), target: targetText(r.target), met: r.met }));
    const cpu = (name) => range(summarize(runs[name].map((x) => x.masterCpu)), 3);
    rows.push({ figure: '  master CPU s/s (drover · bare to a file · bare to /dev/null)', drover: cpu('drover'), reference: `${cpu('direct')} · ${cpu('bare')}` });
    // The figure that holds on a shared machine: the master's CPU per line carried.
    const perLine = runs.drover.map((x) => (x.masterCpu / x.rps) * 1e6);
    rows.push({ figure: '  drover master CPU µs per log line', drover: range(summarize(perLine), 2) });
    const perRequest = (name) => summarize(runs[name].map((x) => x.cpuUsPerRequest));
    const cpuRatio = ratio({ id: 'logs-chatty-cpu-console-direct', name: 'CPU µs per request (master + workers), drover ÷ bare, console.log lines appended by each worker', of: 'drover-chatty', reference: 'bare-chatty-console-file', a: runs.drover.map((x) => x.cpuUsPerRequest), b: runs.directConsole.map((x) => x.cpuUsPerRequest), better: 'lower' });
    ratios.push(cpuRatio);
    rows.push({ figure: cpuRatio.name, drover: range(perRequest('drover'), 1), reference: range(perRequest('directConsole'), 1), ratio: range(cpuRatio.ratio) });
    rows.push({ figure: '  CPU µs per request (bare, hand-built line to a file · bare to /dev/null)', reference: `${range(perRequest('direct'), 1)} · ${range(perRequest('bare'), 1)}` });
    rows.push({ figure: '  log lines dropped / log size', drover: `${dropped} / ${fmt(logBytes / 1024 / 1024, 1)} MiB` });
    return {
      title,
      figures: { runs, dropped, logBytes, masterCpuUsPerLine: perLine },
      ratios,
      rows,
    };
  } finally {
    for (const t of Object.values(targets)) await t.stop().catch(() => undefined);
  }
}
