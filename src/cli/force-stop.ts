// `stop --force` works against a master that does not answer (stopped with SIGSTOP, hung in a
// loop, wedged): it asks the master once, briefly, to kill its workers and exit; failing that it
// SIGKILLs the master and every process under it by pid and removes what the master would
// have removed (pidfile, its lock, the control socket).
import fs from 'node:fs';
import { droverError, NotRunningError } from '../errors/index.js';
import { descendantPids, isAlive, isDroverMaster, readPid } from '../master/pid.js';
import { servicePaths } from '../core/paths.js';
import { askMaster } from './master-client.js';

/** How long a healthy master gets to answer a forced stop before it is killed by pid. */
const ASK_MS = 2000;
/** How long killed processes get to be gone (SIGKILL is not refused, even by a stopped process). */
const GONE_MS = 5000;

/** Resolves with the master's pid, or null if nothing was running. */
export async function forceStop(root: string, service: string): Promise<number | null> {
  const paths = servicePaths(root, service);
  const pid = readPid(paths.pidfile);
  try {
    const answer = await askMaster<{ pid: number }>(root, service, { type: 'stop', mode: 'force' }, ASK_MS);
    if (await gone([answer.pid], ASK_MS)) return answer.pid;
  } catch (error) {
    if (error instanceof NotRunningError && (pid === null || !isAlive(pid))) {
      removeLeftovers(paths.pidfile, paths.socket);
      return null;
    }
    // Silent, unreachable, or not gone in time: by pid.
  }
  if (pid === null || !isAlive(pid)) return pid;
  if (!isDroverMaster(pid, service)) {
    throw droverError('DROVER_ERR_CONTROL_UNREACHABLE', { service, pid, pidfile: paths.pidfile, notAMaster: true });
  }
  // The master first, so that it cannot respawn what we kill; then everything under it.
  const family = [pid, ...descendantPids(pid)];
  for (const p of family) killQuietly(p);
  for (const p of descendantPids(pid)) if (!family.includes(p)) (family.push(p), killQuietly(p));
  if (!(await gone(family, GONE_MS))) {
    throw droverError('DROVER_ERR_STOP_TIMEOUT', { service, alive: family.filter(isAlive), afterSeconds: GONE_MS / 1000, sigkilled: true });
  }
  removeLeftovers(paths.pidfile, paths.socket);
  return pid;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

async function gone(pids: number[], withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

/** What a master removes on its way out; a SIGKILLed one could not. */
function removeLeftovers(pidfile: string, socket: string): void {
  fs.rmSync(pidfile, { force: true });
  fs.rmSync(`${pidfile}.lock`, { recursive: true, force: true });
  if (process.platform !== 'win32') fs.rmSync(socket, { force: true });
}
