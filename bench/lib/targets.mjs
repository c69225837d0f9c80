// The things the bench puts load on, behind one small interface:
//   start() · counters() → { master: { pid, rss }, workers: [{ pid, requests, connections, rss }] }
//   reload() → { wallMs, reportedMs } · stop() · pids()
// DroverService drives drover through its CLI only (start -d, status --json, reload, stop), as
// a user or a monitor would. BareCluster and SingleProcess run bench/reference/ over IPC.
import { fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv, isAlive, run, within } from './procs.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const benchDir = path.resolve(here, '..');
export const repoDir = path.resolve(benchDir, '..');
export const cliPath = path.join(repoDir, 'dist', 'cli.js');
const referenceDir = path.join(benchDir, 'reference');

/** VmRSS of a live process in bytes, from /proc (null where there is no /proc). */
export function procRss(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export class DroverService {
  kind = 'drover';

  /** @param {{ name: string, root: string, service: string, port: number, registry: import('./procs.mjs').ProcessRegistry }} o */
  constructor({ name, root, service, port, registry }) {
    Object.assign(this, { name, root, service, port, registry });
    this.master = null;
    this.workers = [];
  }

  cli(args, timeoutMs = 60_000) {
    return run(process.execPath, [cliPath, this.service, ...args], { cwd: this.root, env: cleanEnv(), timeoutMs, registry: this.registry });
  }

  async start() {
    this.registry.addService({ root: this.root, service: this.service, cli: cliPath });
    const r = await this.cli(['start', '-d']);
    if (r.code !== 0) throw new Error(`${this.name}: "drover ${this.service} start -d" exited ${r.code}:\n${r.stderr || r.stdout}`);
    await this.status();
  }

  /** `status --json`, parsed; records the master's and workers' pids for cleanup. */
  async status() {
    const r = await this.cli(['status', '--json'], 20_000);
    if (r.code !== 0) throw new Error(`${this.name}: "drover ${this.service} status --json" exited ${r.code}:\n${r.stderr || r.stdout}`);
    const status = JSON.parse(r.stdout);
    this.master = status.master.pid;
    this.workers = status.workers.map((w) => w.pid).filter(Boolean);
    this.registry.add(this.master, `${this.name} master`);
    for (const pid of this.workers) this.registry.add(pid, `${this.name} worker`);
    return status;
  }

  async counters() {
    const status = await this.status();
    return {
      master: { pid: status.master.pid, rss: procRss(status.master.pid) ?? status.master.rss, reportedRss: status.master.rss },
      workers: status.workers
        .filter((w) => w.state === 'ready')
        .map((w) => ({ id: w.id, pid: w.pid, requests: w.requests, connections: w.connections, rss: procRss(w.pid) ?? w.rss, reportedRss: w.rss, threads: procThreads(w.pid) })),
    };
  }

  async reload() {
    const r = await this.cli(['reload'], 60_000);
    if (r.code !== 0) throw new Error(`${this.name}: "drover ${this.service} reload" exited ${r.code}:\n${r.stderr || r.stdout}`);
    const reported = /reloaded in (\d+) ms/.exec(r.stdout);
    const drained = /drained in (\d+) ms/.exec(r.stdout);
    await this.status();
    return { wallMs: r.ms, reportedMs: reported ? Number(reported[1]) : null, drainedMs: drained ? Number(drained[1]) : null, output: `${r.stdout}${r.stderr}`.trim() };
  }

  pids() {
    return { master: this.master, workers: [...this.workers] };
  }

  async stop() {
    const r = await this.cli(['stop'], 30_000);
    if (r.code !== 0) throw new Error(`${this.name}: "drover ${this.service} stop" exited ${r.code}:\n${r.stderr || r.stdout}`);
    const left = [this.master, ...this.workers].filter((pid) => pid && isAlive(pid));
    if (left.length > 0) throw new Error(`${this.name}: still alive after "stop" returned: ${left.map((pid) => `${pid} (${this.registry.pids.get(pid)}; ${psLine(pid)})`).join(', ')}`);
  }
}

/** A reference server started from bench/reference/ with an IPC channel to the harness. */
class ReferenceServer {
  constructor({ name, script, env, port, registry, kind }) {
    Object.assign(this, { name, script, env, port, registry, kind });
    this.child = null;
    this.master = null;
    this.workers = [];
    this.seq = 0;
  }

  start() {
    return new Promise((resolve, reject) => {
      // detached: a session of its own, as `drover start -d` has. With the kernel's
      // sched_autogroup on (Debian's default), each session is one scheduling group sharing the
      // cores fairly with the others: a reference left in the harness's session shared its group
      // with the load generator and so got a larger share of the 2 cores than drover's daemon
      // (detached workers cost 40–46 µs per request against 26–34 µs not detached, same build).
      const child = fork(path.join(referenceDir, this.script), [], { env: cleanEnv(this.env), execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], detached: true });
      this.child = child;
      this.registry.add(child.pid, `${this.name} primary`);
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
      const onExit = (code) => reject(new Error(`${this.name} exited (${code}) before it was ready:\n${stderr}`));
      child.once('exit', onExit);
      child.on('message', (m) => {
        if (m?.type !== 'ready') return;
        child.off('exit', onExit);
        this.master = m.pid;
        this.setWorkers(m.workers);
        this.schedulingPolicy = m.schedulingPolicy ?? null;
        resolve();
      });
    });
  }

  setWorkers(pids) {
    this.workers = pids;
    for (const pid of pids) this.registry.add(pid, `${this.name} worker`);
  }

  ask(message, answerType, timeoutMs = 30_000) {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => (this.child.off('message', onMessage), reject(new Error(`${this.name}: no ${answerType} answer within ${timeoutMs} ms`))), timeoutMs);
      const onMessage = (m) => {
        if (m?.type !== answerType || m.seq !== seq) return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolve(m);
      };
      this.child.on('message', onMessage);
      this.child.send({ ...message, seq });
    });
  }

  async counters() {
    const m = await this.ask({ type: 'stats' }, 'stats');
    return {
      master: { pid: this.master, rss: procRss(this.master) ?? m.primary.rss, reportedRss: m.primary.rss },
      workers: m.workers.filter(Boolean).map((w) => ({ pid: w.pid, requests: w.requests, connections: w.connections, rss: procRss(w.pid) ?? w.rss, reportedRss: w.rss, threads: procThreads(w.pid) })),
    };
  }

  async reload() {
    const startedAt = performance.now();
    const m = await this.ask({ type: 'reload' }, 'reloaded', 60_000);
    const wallMs = performance.now() - startedAt;
    this.setWorkers(m.workers);
    return { wallMs, reportedMs: m.ms };
  }

  pids() {
    return { master: this.master, workers: [...this.workers] };
  }

  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    const deadline = Date.now() + 3000;
    while (this.workers.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }
}

export class BareCluster extends ReferenceServer {
  constructor({ name, appPath, port, workers = 2, schedulingPolicy = 'rr', registry }) {
    super({
      name,
      kind: 'bare',
      script: 'bare-cluster.mjs',
      port,
      registry,
      env: { BENCH_APP: appPath, BENCH_PORT: String(port), BENCH_WORKERS: String(workers), NODE_CLUSTER_SCHED_POLICY: schedulingPolicy },
    });
  }
}

export class SingleProcess extends ReferenceServer {
  constructor({ name, appPath, port, registry }) {
    super({ name, kind: 'single', script: 'single-process.mjs', port, registry, env: { BENCH_APP: appPath, BENCH_PORT: String(port) } });
  }
}

/**
 * The WebSocket reference: reference/ws-server.mjs, one plain `ws` process (echo, and a
 * broadcast loop over its clients on request).
 */
export class WsReference extends ReferenceServer {
  constructor({ name, port, registry }) {
    super({ name, kind: 'ws-single', script: 'ws-server.mjs', port, registry, env: { BENCH_PORT: String(port) } });
  }

  /** { pid, rss, heapUsed, clients } (rss is VmRSS, read from /proc when there is one). */
  async stats() {
    const m = await this.ask({ type: 'stats' }, 'stats');
    return { pid: m.pid, rss: procRss(m.pid) ?? m.rss, reportedRss: m.rss, heapUsed: m.heapUsed, clients: m.clients };
  }

  async counters() {
    const s = await this.stats();
    return { master: { pid: s.pid, rss: s.rss, reportedRss: s.reportedRss }, workers: [] };
  }

  /** Sends `data` to every client in a loop; { t0Ms, t1Ms, sent } (CLOCK_MONOTONIC ms). */
  broadcast(data) {
    return this.ask({ type: 'broadcast', data }, 'broadcast', 60_000);
  }
}

/**
 * drover's push side: the project's copy of reference/ws-push.mjs, forked with the project
 * root as its cwd, pushing through `gateway` from 'drover'.
 */
export class DroverPushScript {
  constructor({ script, root, registry }) {
    Object.assign(this, { script, root, registry });
    this.child = null;
    this.seq = 0;
  }

  start() {
    return new Promise((resolve, reject) => {
      // detached, as the reference push script is (see ReferenceServer.start).
      const child = fork(this.script, [], { cwd: this.root, env: cleanEnv(), execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], detached: true });
      this.child = child;
      this.registry.add(child.pid, 'drover push script');
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
      const onExit = (code) => reject(new Error(`the push script exited (${code}) before it was ready:\n${stderr}`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        if (m?.type !== 'ready') return;
        child.off('exit', onExit);
        resolve(this);
      });
    });
  }

  ask(type, payload = {}, timeoutMs = 60_000) {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => (this.child.off('message', onMessage), reject(new Error(`push script: no answer to ${type} within ${timeoutMs} ms`))), timeoutMs);
      const onMessage = (m) => {
        if (m?.type !== type || m.seq !== seq) return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        if (m.error) reject(new Error(`push script ${type}: ${m.error}`));
        else resolve(m);
      };
      this.child.on('message', onMessage);
      this.child.send({ ...payload, type, seq });
    });
  }

  async clientCount() {
    return (await this.ask('count')).clients;
  }

  /** `gateway.sendToAll(data)`; { t0Ms, t1Ms, sent } (CLOCK_MONOTONIC ms). */
  sendToAll(data) {
    return this.ask('sendToAll', { data });
  }

  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.disconnect();
    await within(exited, 3000);
    if (isAlive(child.pid)) child.kill('SIGTERM');
  }
}

/**
 * drover in the foreground (`drover <service> start`, no -d): the master runs in the spawned
 * process and logs to its stdout, and hot reload watches app/ and config/. Every line it
 * prints is kept with the time it arrived (performance.now()). Stopped with SIGTERM to its
 * pid, as a terminal's Ctrl-C would; its workers are recorded from `status --json`.
 */
export class ForegroundDrover extends DroverService {
  constructor(options) {
    super(options);
    this.lines = [];
    this.child = null;
  }

  async start() {
    this.registry.addService({ root: this.root, service: this.service, cli: cliPath });
    const child = spawn(process.execPath, [cliPath, this.service, 'start'], { cwd: this.root, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.registry.add(child.pid, `${this.name} foreground master`);
    this.exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream.setEncoding('utf8').on('data', (chunk) => {
        const at = performance.now();
        const parts = (partial + chunk).split('\n');
        partial = parts.pop();
        for (const text of parts) this.lines.push({ at, text });
      });
    }
    await this.waitForLine(/hot reload: watching/, 30_000);
    for (;;) {
      const status = await this.status();
      if (status.workers.length > 0 && status.workers.every((w) => w.state === 'ready')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The first line at or after index `from` that matches; rejects after timeoutMs or if the master exits. */
  waitForLine(pattern, timeoutMs = 20_000, from = 0) {
    const deadline = performance.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const check = () => {
        const line = this.lines.slice(from).find((l) => pattern.test(l.text));
        if (line) return resolve(line);
        if (this.child.exitCode !== null || this.child.signalCode !== null) return reject(new Error(`${this.name}: the master exited before printing ${pattern}:\n${this.output()}`));
        if (performance.now() > deadline) return reject(new Error(`${this.name}: no ${pattern} within ${timeoutMs} ms:\n${this.output()}`));
        setTimeout(check, 10);
      };
      check();
    });
  }

  output(last = 30) {
    return this.lines.slice(-last).map((l) => l.text).join('\n');
  }

  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await this.status().catch(() => null); // the current workers, to check that they are gone after
    child.kill('SIGTERM');
    const exit = await within(this.exited, 30_000);
    if (!exit) throw new Error(`${this.name}: the foreground master did not exit within 30 s of SIGTERM`);
    this.registry.forget(child.pid);
    const deadline = Date.now() + 3000;
    while (this.workers.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const left = this.workers.filter(isAlive);
    if (left.length > 0) throw new Error(`${this.name}: workers still alive after the master exited: ${left.join(', ')}`);
    if (exit.code !== 0) throw new Error(`${this.name}: the foreground master exited ${exit.code ?? exit.signal} on SIGTERM:\n${this.output()}`);
  }
}

/** Threads of a live process (from /proc; null elsewhere). A worker that registered tsx has one more: its loader hooks thread. */
export function procThreads(pid) {
  try {
    const m = /^Threads:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function psLine(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    return `state ${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]}, ${cmd}`;
  } catch {
    return 'gone';
  }
}
