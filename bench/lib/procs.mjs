// Every process the bench starts, by pid, so that all of them can be stopped at the end, on
// failure and on Ctrl-C. Nothing here ever signals a process it did not record: no process
// names, no process groups.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

/** The environment children get: ours, without what would change how node or drover behave. */
export function cleanEnv(extra = {}) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key === 'NODE_OPTIONS' || key === 'NODE_CLUSTER_SCHED_POLICY' || key.startsWith('NODE_TEST') || key.startsWith('DROVER_')) {
      delete env[key];
    }
  }
  return { ...env, ...extra };
}

/**
 * Whether a pid still runs. A zombie does not: a daemon's parent is init, which here may take
 * a while to reap it, and kill(pid, 0) succeeds on it until then.
 */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return !fs.existsSync('/proc/self'); // gone in between, or no /proc to tell
  }
}

export class ProcessRegistry {
  /** pid → what it is (for messages). */
  pids = new Map();
  /** Drover services started: { root, service, cli } so that cleanup can `stop` them first. */
  services = [];
  /** Every pid ever recorded, for the smoke test's "nothing left running" check. */
  everStarted = new Set();

  /** Set by stopAll(): nothing new may start (a scenario still running gets an error instead). */
  stopping = false;

  add(pid, label) {
    if (!pid) return;
    const known = this.pids.has(pid) || this.everStarted.has(pid);
    this.pids.set(pid, label);
    this.everStarted.add(pid);
    if (this.stopping && !known) {
      signal(pid, 'SIGTERM');
      throw new Error(`the bench is stopping: ${label} (pid ${pid}) was stopped as it started`);
    }
  }

  /** For Ctrl-C / SIGTERM: refuses new processes from then on, and stops everything recorded. */
  stopAll(options) {
    this.stopping = true;
    return this.cleanup(options);
  }

  forget(pid) {
    this.pids.delete(pid);
  }

  addService(entry) {
    this.services.push(entry);
  }

  /**
   * Stops everything: drover services through their own `stop` (bounded), then SIGTERM to
   * every recorded pid still alive, then SIGKILL to what is left after `graceMs`.
   */
  async cleanup({ graceMs = 3000 } = {}) {
    for (const s of this.services.splice(0)) {
      // The pidfile names the master even if we never got to read `status`.
      const pid = readPidfile(`${s.root}/pidfiles/${s.service}.pid`);
      if (pid) {
        this.pids.set(pid, `${s.service} master`);
        this.everStarted.add(pid);
      }
      if (pid && isAlive(pid)) await runQuiet(process.execPath, [s.cli, s.service, 'stop', '--force'], { cwd: s.root, timeoutMs: 10_000 });
    }
    const alive = () => [...this.pids.keys()].filter(isAlive);
    for (const pid of alive()) signal(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (alive().length > 0 && Date.now() < deadline) await sleep(25);
    for (const pid of alive()) signal(pid, 'SIGKILL');
    const killDeadline = Date.now() + 2000;
    while (alive().length > 0 && Date.now() < killDeadline) await sleep(25);
    const left = alive();
    this.pids.clear();
    return left;
  }
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function readPidfile(file) {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `promise`, or `fallback` after ms; the timer is cleared either way (so it never holds the process up). */
export function within(promise, ms, fallback = null) {
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs a command to completion; resolves with { code, stdout, stderr, ms } where ms is the wall
 * time from spawn to exit. A command that outlives timeoutMs is SIGKILLed (by its pid).
 */
export function run(command, args, { cwd, env = cleanEnv(), timeoutMs = 60_000, registry } = {}) {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    registry?.add(child.pid, `${command} ${args.join(' ')}`);
    let stdout = '';
    let stderr = '';
    let exitedAt = 0;
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', () => (exitedAt = performance.now()));
    child.once('close', (code, sig) => {
      clearTimeout(timer);
      registry?.forget(child.pid);
      resolve({ code: code ?? (sig ? 128 : 1), signal: sig, stdout, stderr, ms: (exitedAt || performance.now()) - startedAt });
    });
  });
}

async function runQuiet(command, args, options) {
  try {
    return await run(command, args, options);
  } catch {
    return null;
  }
}
