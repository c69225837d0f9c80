// Scenario 8: static files. One drover service (2 workers, the hello app, a public/ folder
// holding hello.txt with the app's own body) answers, in interleaved keep-alive runs:
//   static:  GET /hello.txt, served from public/ through `send` (stat, realpath, ETag, headers)
//   app:     GET / on the same service: the public/ lookup misses (one realpath), then the app
//   bare:    GET / on drover-rr, the hello project with no public/ folder (static files off)
// Headlines: static ÷ app (what a file costs against the app path) and app ÷ bare (what the
// miss costs every app request once public/ exists).
import fs from 'node:fs';
import path from 'node:path';
import { keepAliveLoad } from '../lib/load.mjs';
import { fmt, range, ratio } from '../lib/report.mjs';
import { freePort } from '../lib/project.mjs';
import { benchDir, DroverService } from '../lib/targets.mjs';

export const id = 'static-files';
export const title = 'Static files from public/ against the app path, 2 workers, keep-alive';

export async function run(ctx) {
  const s = ctx.settings;
  const root = path.join(ctx.tempDir, 'static');
  fs.mkdirSync(path.join(root, 'config'), { recursive: true });
  fs.mkdirSync(path.join(root, 'public'));
  fs.writeFileSync(path.join(root, 'package.json'), '{ "type": "module", "private": true }\n');
  fs.copyFileSync(path.join(benchDir, 'reference', 'hello-app.mjs'), path.join(root, 'hello-app.mjs'));
  fs.writeFileSync(path.join(root, 'public', 'hello.txt'), 'hello world\n');
  const port = await freePort();
  fs.writeFileSync(path.join(root, 'config', 'worker_static.json'), `${JSON.stringify({ listen: `http://127.0.0.1:${port}`, count: 2, app: 'hello-app.mjs', stopTimeout: 10_000 }, null, 2)}\n`);
  const drover = new DroverService({ name: 'drover-static', root, service: 'static', port, registry: ctx.registry });
  await drover.start();
  try {
    const bare = await ctx.target('drover-rr');
    const runs = { static: [], app: [], bare: [] };
    const loads = {
      static: () => keepAliveLoad({ port, path: '/hello.txt', connections: s.connections, durationS: s.durationS }),
      app: () => keepAliveLoad({ port, path: '/', connections: s.connections, durationS: s.durationS }),
      bare: () => keepAliveLoad({ port: bare.port, path: '/', connections: s.connections, durationS: s.durationS }),
    };
    if (s.warmupS > 0) for (const [p, path] of [[port, '/hello.txt'], [port, '/'], [bare.port, '/']]) await keepAliveLoad({ port: p, path, connections: s.connections, durationS: s.warmupS });
    for (let round = 0; round < s.rounds; round++) {
      const names = Object.keys(loads);
      for (const name of [...names.slice(round % 3), ...names.slice(0, round % 3)]) {
        const r = await loads[name]();
        if (r.failed > 0) throw new Error(`static-files: ${name} run had ${r.failed} failed requests`);
        runs[name].push(r);
        ctx.log(`  round ${round + 1}/${s.rounds} ${name}: ${fmt(r.rps, 0)} req/s, p99 ${fmt(r.p99)} ms`);
      }
    }
    const rps = (name) => runs[name].map((r) => r.rps);
    const ratios = [
      ratio({ id: 'static-rps-vs-app', name: 'keep-alive req/s, a static file ÷ the app, same service', of: 'static', reference: 'app', a: rps('static'), b: rps('app') }),
      ratio({ id: 'app-with-public-vs-without', name: 'keep-alive req/s, the app with public/ ÷ without', of: 'app', reference: 'bare', a: rps('app'), b: rps('bare') }),
    ];
    const rows = ratios.map((r) => ({ figure: r.name, drover: `${range(r.of_values, 0)} req/s`, reference: `${range(r.reference_values, 0)} req/s`, ratio: range(r.ratio), target: '' }));
    return { title, figures: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.map((r) => ({ rps: r.rps, p50: r.p50, p99: r.p99 }))])), ratios, rows };
  } finally {
    await drover.stop();
  }
}
