// Starting the WebSocket service in a test project: a config on a free port (never 2828),
// `ws start -d`, every pid tracked for cleanup; and the project set up so that its code can
// `import { gateway } from 'drover'` as an application would.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, show } from './cli.js';
import { freePort } from './ports.js';
import { DROVER_DIR, type Project } from './project.js';
import { statusJson, type ServiceStatus } from './status.js';
import { WS_HOOKS_MODULE, WS_TEST_CONTROLLER } from './ws-fixtures.js';

export interface WsService {
  service: string;
  port: number;
  status: ServiceStatus;
}

/**
 * Writes config/worker_<service>.json (2 gateways, 2 business workers unless `config` says
 * otherwise), adds the WsTest controller and the probe hooks, and starts the service as a daemon.
 */
export async function startWs(p: Project, config: Record<string, unknown> = {}, service = 'ws'): Promise<WsService> {
  const port = await freePort();
  const secure = config.tls !== undefined;
  p.writeConfig(service, { listen: `${secure ? 'wss' : 'ws'}://127.0.0.1:${port}`, gateway: { count: 2 }, business: { count: 2 }, ...config });
  if (!p.exists('app/worker/controller/WsTest.ts')) p.writeFile('app/worker/controller/WsTest.ts', WS_TEST_CONTROLLER);
  if (!p.exists('app/probe/Probe.ts')) p.writeFile('app/probe/Probe.ts', WS_HOOKS_MODULE);
  const started = await runCli(p, [service, 'start', '-d'], { timeoutMs: 60_000 });
  p.track(p.pidOf(service));
  assert.equal(started.code, 0, show(started));
  const status = await statusJson(p, service);
  return { service, port, status };
}

export function pidsOf(status: ServiceStatus, role: 'gateway' | 'business'): number[] {
  return status.workers.filter((w) => w.role === role && w.pid !== null).map((w) => w.pid!);
}

/**
 * The project's node_modules links to drover's own, which does not contain drover: make it a
 * folder of links to the same packages, plus node_modules/drover → this checkout.
 */
export function linkDrover(p: Project): void {
  const modules = p.file('node_modules');
  const source = path.join(DROVER_DIR, 'node_modules');
  fs.rmSync(modules, { force: true, recursive: false });
  fs.mkdirSync(modules);
  for (const entry of fs.readdirSync(source)) fs.symlinkSync(path.join(source, entry), path.join(modules, entry));
  fs.symlinkSync(DROVER_DIR, path.join(modules, 'drover'), 'dir');
}
