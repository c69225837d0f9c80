// Scenario 10: logs under a chatty app (one ~100-byte line per request). drover's workers write
// to pipes; the master cuts the lines, prefixes them (time, service, worker id, pid, stream)
// and appends them to logs/chatty.log. References, bare node:cluster primaries with the same
// app: workers appending to one file themselves ("workers write directly", the other design),
// and workers whose output goes to /dev/null (no log at all). The ratios say what carrying the
// log costs in throughput, and the master's CPU seconds per second what it costs on the accept
// path. Keep-alive load (autocannon), rounds interleaved.
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
  for (const file of ['hello-app.mjs', 'chatty-app.mjs', 'chatty-file-app.mjs']) fs.copyFileSync(path.join(benchDir, 'reference', file), path.join(root, file));
  const appPath = path.join(root, 'chatty-app.mjs');
  const ports = { drover: await freePort(), bare: await freePort(), direct: await freePort() };
  fs.writeFileSync(path.join(root, 'config', 'worker_chatty.json'), `${JSON.stringify({ listen: `http://127.0.0.1:${ports.drover}`, count: 2, app: 'chatty-app.mjs' }, null, 2)}\n`);
  const targets = {
    drover: new DroverService({ name: 'drover-chatty', root, service: 'chatty', port: ports.drover, registry: ctx.registry }),
    direct: new BareCluster({ name: 'bare-chatty-file', appPath: path.join(root, 'chatty-file-app.mjs'), port: ports.direct, schedulingPolicy: 'rr', registry: ctx.registry }),
    bare: new BareCluster({ name: 'bare-chatty', appPath, port: ports.bare, schedulingPolicy: 'rr', registry: ctx.registry }),
  };
  const runs = { drover: [], direct: [], bare: [] };
  const names = Object.keys(runs);
  try {
    for (const t of Object.values(targets)) await t.start();
    for (const t of Object.values(targets)) await keepAliveLoad({ port: t.port, connections: s.connections, durationS: Math.max(1, s.warmupS) });
    for (let round = 0; round < s.rounds; round++) {
      for (const name of round % 2 === 0 ? names : [...names].reverse()) {
        const t = targets[name];
        const master = (await t.counters()).master.pid;
        const cpuBefore = ctx.cpuSeconds(master);
        const startedAt = performance.now();
        const r = await keepAliveLoad({ port: t.port, connections: s.connections, durationS: s.durationS });
        const seconds = (performance.now() - startedAt) / 1000;
        const masterCpu = (ctx.cpuSeconds(master) - cpuBefore) / seconds;
        runs[name].push({ rps: r.rps, p99: r.p99, failed: r.failed, masterCpu });
        ctx.log(`  logs round ${round + 1}/${s.rounds} ${name}: ${fmt(r.rps, 0)} req/s (= log lines/s), master CPU ${fmt(masterCpu)} s/s, failed ${r.failed}`);
      }
    }
    const status = await targets.drover.status();
    const dropped = status.log?.dropped ?? null;
    const logBytes = fs.statSync(path.join(root, 'logs', 'chatty.log')).size;
    const ratios = [
      ratio({ id: 'logs-chatty-rps-direct', name: 'chatty app req/s, drover (master writes the log) ÷ bare, workers append to a file', of: 'drover-chatty', reference: 'bare-chatty-file', a: runs.drover.map((x) => x.rps), b: runs.direct.map((x) => x.rps), target: { op: '>=', value: 0.9 }, better: 'higher' }),
      ratio({ id: 'logs-chatty-rps-null', name: 'chatty app req/s, drover ÷ bare, output to /dev/null', of: 'drover-chatty', reference: 'bare-chatty', a: runs.drover.map((x) => x.rps), b: runs.bare.map((x) => x.rps), better: 'higher' }),
    ];
    const rows = ratios.map((r) => ({ figure: r.name, drover: range(r.of_values, 0), reference: range(r.reference_values, 0), ratio: range(r.ratio), target: targetText(r.target), met: r.met }));
    const cpu = (name) => range(summarize(runs[name].map((x) => x.masterCpu)), 3);
    rows.push({ figure: '  master CPU s/s (drover · bare to a file · bare to /dev/null)', drover: cpu('drover'), reference: `${cpu('direct')} · ${cpu('bare')}` });
    rows.push({ figure: '  log lines dropped / log size', drover: `${dropped} / ${fmt(logBytes / 1024 / 1024, 1)} MiB` });
    return {
      title,
      figures: { runs, dropped, logBytes },
      ratios,
      rows,
    };
  } finally {
    for (const t of Object.values(targets)) await t.stop().catch(() => undefined);
  }
}
