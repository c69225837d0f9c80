// A request listener for scale and metrics scenarios: says which worker answered (x-worker-pid)
// and, on /block?ms=N, blocks its event loop for N ms (a busy worker, on purpose).
import assert from 'node:assert/strict';
import { runCli, show, type CliResult } from './cli.js';
import { startHttpDaemon } from './daemon.js';
import type { Project } from './project.js';

export const PID_APP = `
export default function app(req, res) {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/block') {
    const until = Date.now() + Number(url.searchParams.get('ms') || 1000);
    while (Date.now() < until);
  }
  res.setHeader('x-worker-pid', String(process.pid));
  res.end('ok');
}
`;

/** Starts a daemon of the "web" service serving PID_APP with `count` workers; returns its port. */
export async function startPidApp(p: Project, count: number): Promise<number> {
  p.writeFile('app/pid-app.mjs', PID_APP);
  return startHttpDaemon(p, { app: 'app/pid-app.mjs', count });
}

/** Runs the CLI (60 s deadline) and asserts its exit code. */
export async function drover(p: Project, args: string[], code = 0): Promise<CliResult> {
  const r = await runCli(p, args, { timeoutMs: 60_000 });
  assert.equal(r.code, code, show(r));
  return r;
}
