// The usual first step of a scenario: an HTTP service on a free 127.0.0.1 port, started with
// `start -d`, its master registered for cleanup.
import assert from 'node:assert/strict';
import { runCli, show } from './cli.js';
import { freePort } from './ports.js';
import type { Project } from './project.js';

/** Writes config/worker_<service>.json (2 workers unless `config` says otherwise), starts it; resolves with the port. */
export async function startHttpDaemon(p: Project, config: object = {}, service = 'web'): Promise<number> {
  const port = await freePort();
  p.writeConfig(service, { listen: `http://127.0.0.1:${port}`, count: 2, ...config });
  const started = await runCli(p, [service, 'start', '-d']);
  p.track(p.pidOf(service));
  assert.equal(started.code, 0, show(started));
  return port;
}
