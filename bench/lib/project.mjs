// The bench's own temp projects, so nothing it starts touches the repo's config/ (ports 8000
// and 2828) or pidfiles/:
//   hello/    the plain-JS hello-world app (bench/reference/hello-app.mjs) that drover, the bare
//             cluster and the single process all serve; no app/ folder, so drover's workers
//             load no TypeScript loader. One config per scheduling policy.
//   example/  a copy of the repo's app/ (the example app, TypeScript through tsx), served by
//             convention routing, for "resident vs a fresh process".
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { benchDir, repoDir } from './targets.mjs';

const RESERVED_PORTS = new Set([8000, 2828]);

/** A port the kernel just handed out on 127.0.0.1 (never 8000 or 2828). */
export async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => {
        const { port } = server.address();
        server.close(() => resolve(port));
      });
    });
    if (!RESERVED_PORTS.has(port)) return port;
  }
}

export function makeTempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'drover-bench-'));
}

/** Removes a folder this bench created (refuses anything not made by makeTempDir). */
export function removeTempDir(dir) {
  if (!dir || !path.basename(dir).startsWith('drover-bench-') || path.dirname(dir) !== os.tmpdir()) return;
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * The hello project: one drover service per entry of `services` ({ service, port,
 * schedulingPolicy }). Returns { root, appPath }.
 */
export function makeHelloProject(base, services) {
  const root = path.join(base, 'hello');
  fs.mkdirSync(path.join(root, 'config'), { recursive: true });
  fs.writeFileSync(path.join(root, 'package.json'), '{ "type": "module", "private": true }\n');
  const appPath = path.join(root, 'hello-app.mjs');
  fs.copyFileSync(path.join(benchDir, 'reference', 'hello-app.mjs'), appPath);
  for (const s of services) writeHttpConfig(root, s.service, { listen: `http://127.0.0.1:${s.port}`, count: 2, app: 'hello-app.mjs', schedulingPolicy: s.schedulingPolicy ?? 'rr' });
  return { root, appPath };
}

/** The example project: the repo's app/ as it is now, convention routing, 2 workers. */
export function makeExampleProject(base, { service, port }) {
  const root = path.join(base, 'example');
  fs.mkdirSync(path.join(root, 'config'), { recursive: true });
  fs.writeFileSync(path.join(root, 'package.json'), '{ "type": "module", "private": true }\n');
  fs.cpSync(path.join(repoDir, 'app'), path.join(root, 'app'), { recursive: true });
  writeHttpConfig(root, service, { listen: `http://127.0.0.1:${port}`, count: 2 });
  return { root };
}

function writeHttpConfig(root, service, config) {
  fs.writeFileSync(path.join(root, 'config', `worker_${service}.json`), `${JSON.stringify({ stopTimeout: 10_000, ...config }, null, 2)}\n`);
}

/**
 * The WebSocket project: the repo's app/ (its WebSocketExamples controller answers
 * {"pathInfo":"worker/WebSocketExamples/message"}), a ws service with `gateways` gateway and
 * `business` business workers, and node_modules set up so that a script in the project can
 * `import { gateway } from 'drover'`: a folder of links to drover's own dependencies, plus
 * node_modules/drover → this checkout. The push script (reference/ws-push.mjs) is copied in.
 */
export function makeWsProject(base, { service = 'ws', port, gateways = 2, business = 2, extra = {} }) {
  const root = path.join(base, 'ws');
  fs.mkdirSync(path.join(root, 'config'), { recursive: true });
  fs.writeFileSync(path.join(root, 'package.json'), '{ "type": "module", "private": true }\n');
  fs.cpSync(path.join(repoDir, 'app'), path.join(root, 'app'), { recursive: true });
  const modules = path.join(root, 'node_modules');
  fs.mkdirSync(modules);
  const source = path.join(repoDir, 'node_modules');
  for (const entry of fs.readdirSync(source)) fs.symlinkSync(path.join(source, entry), path.join(modules, entry));
  fs.symlinkSync(repoDir, path.join(modules, 'drover'), 'dir');
  fs.copyFileSync(path.join(benchDir, 'reference', 'ws-push.mjs'), path.join(root, 'ws-push.mjs'));
  const config = { listen: `ws://127.0.0.1:${port}`, gateway: { count: gateways }, business: { count: business }, stopTimeout: 10_000, ...extra };
  fs.writeFileSync(path.join(root, 'config', `worker_${service}.json`), `${JSON.stringify(config, null, 2)}\n`);
  return { root, pushScript: path.join(root, 'ws-push.mjs'), config };
}

/**
 * The hot reload project: the repo's app/ (TypeScript through tsx; HttpExamples.ts is the file
 * the scenario edits), an HTTP service with 2 workers, and config/worker_process.json setting
 * hot reload's debounce.
 */
export function makeHotReloadProject(base, { service = 'http', port, debounceMs }) {
  const root = path.join(base, 'hot-reload');
  fs.mkdirSync(path.join(root, 'config'), { recursive: true });
  fs.writeFileSync(path.join(root, 'package.json'), '{ "type": "module", "private": true }\n');
  fs.cpSync(path.join(repoDir, 'app'), path.join(root, 'app'), { recursive: true });
  writeHttpConfig(root, service, { listen: `http://127.0.0.1:${port}`, count: 2 });
  fs.writeFileSync(path.join(root, 'config', 'worker_process.json'), `${JSON.stringify({ hotReload: { debounceMs } }, null, 2)}\n`);
  return { root, controller: path.join(root, 'app', 'worker', 'controller', 'HttpExamples.ts') };
}
