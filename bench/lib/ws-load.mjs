// WebSocket load for the bench: client processes (lib/ws-fleet-child.mjs) that hold idle
// clients, wait for broadcasts and run closed-loop round trips, driven over IPC. Each process
// holds at most `perProcess` connections: its own file descriptors (`ulimit -n`) bound it, and
// the clients' CPU stays out of the harness process. Every process is recorded in the registry
// by pid and stopped through its IPC channel, then SIGTERM, at stop() or at the bench's cleanup.
import { execFileSync, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv, isAlive, within } from './procs.mjs';

const childPath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ws-fleet-child.mjs');

/** The soft limit on open files this process (and so its children) has; null if unknown. */
export function openFileLimit() {
  try {
    const out = execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    return out === 'unlimited' ? Number.POSITIVE_INFINITY : Number(out) || null;
  } catch {
    return null;
  }
}

class FleetProcess {
  constructor({ registry, label }) {
    Object.assign(this, { registry, label });
    this.child = null;
    this.seq = 0;
  }

  start() {
    return new Promise((resolve, reject) => {
      const child = fork(childPath, [], { env: cleanEnv(), execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      this.child = child;
      this.registry.add(child.pid, this.label);
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d) => (stderr = (stderr + d).slice(-4000)));
      const onExit = (code) => reject(new Error(`${this.label} exited (${code}) before it was ready:\n${stderr}`));
      child.once('exit', onExit);
      child.once('message', (m) => {
        if (m?.type !== 'ready') return;
        child.off('exit', onExit);
        child.once('exit', (code, signal) => (this.exited = { code, signal, stderr }));
        resolve(this);
      });
    });
  }

  ask(type, payload = {}, timeoutMs = 120_000) {
    const seq = ++this.seq;
    const child = this.child;
    return new Promise((resolve, reject) => {
      if (!child?.connected) return reject(new Error(`${this.label} is gone${this.exited ? `: ${this.exited.stderr}` : ''}`));
      const onExit = () => finish(new Error(`${this.label} exited during "${type}"${this.exited ? `: ${this.exited.stderr}` : ''}`));
      const timer = setTimeout(() => finish(new Error(`${this.label}: no answer to "${type}" within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (m) => {
        if (m?.type !== `${type}-done` || m.seq !== seq) return;
        if (m.error) finish(new Error(`${this.label} "${type}": ${m.error}`));
        else finish(null, m.result);
      };
      function finish(error, result) {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (error) reject(error);
        else resolve(result);
      }
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ ...payload, type, seq });
    });
  }

  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.connected) child.disconnect();
    await within(exited, 3000);
    if (isAlive(child.pid)) {
      child.kill('SIGTERM');
      await within(exited, 2000);
    }
    if (isAlive(child.pid)) child.kill('SIGKILL');
    this.registry.forget(child.pid);
  }
}

/**
 * Client processes, enough of them that none holds more than `perProcess` connections.
 * Source addresses are handed out so that no two processes and no two calls share one.
 */
export class WsFleet {
  constructor({ registry, processes = 1, perProcess }) {
    Object.assign(this, { registry, perProcess });
    this.processes = Array.from({ length: processes }, (_, i) => new FleetProcess({ registry, label: `ws client process ${i + 1}` }));
    this.nextAddress = 0;
  }

  async start() {
    await Promise.all(this.processes.map((p) => p.start()));
    return this;
  }

  get pids() {
    return this.processes.map((p) => p.child?.pid).filter(Boolean);
  }

  /** `count` idle clients, spread evenly over the processes. */
  async open(url, count, { concurrency = 64, timeoutMs = 15_000 } = {}) {
    const shares = split(count, this.processes.length);
    if (shares.some((n) => n > this.perProcess)) throw new Error(`${count} clients need more than ${this.processes.length} client processes of ${this.perProcess}`);
    const answers = await Promise.all(
      this.processes.map((p, i) => {
        const addressBase = this.takeAddresses(Math.ceil(shares[i] / 2000) + 1);
        return p.ask('open', { url, count: shares[i], concurrency: Math.ceil(concurrency / this.processes.length), timeoutMs, addressBase }, 300_000);
      }),
    );
    return {
      opened: sum(answers.map((a) => a.opened)),
      failed: sum(answers.map((a) => a.failed)),
      errors: Object.assign({}, ...answers.map((a) => a.errors)),
      ms: Math.max(...answers.map((a) => a.ms)),
    };
  }

  /** Arms every process for a broadcast starting with `marker`; resolves with how many clients should get it. */
  async expect(marker) {
    const answers = await Promise.all(this.processes.map((p) => p.ask('expect', { marker })));
    return sum(answers.map((a) => a.expected));
  }

  /** Waits until every armed client got the broadcast (or timeoutMs); the first and last arrival times. */
  async awaitBroadcast(timeoutMs = 30_000) {
    const answers = await Promise.all(this.processes.map((p) => p.ask('await', { timeoutMs }, timeoutMs + 10_000)));
    const firsts = answers.map((a) => a.firstMs).filter((x) => x !== null);
    const lasts = answers.map((a) => a.lastMs).filter((x) => x !== null);
    return {
      expected: sum(answers.map((a) => a.expected)),
      received: sum(answers.map((a) => a.received)),
      firstMs: firsts.length ? Math.min(...firsts) : null,
      lastMs: lasts.length ? Math.max(...lasts) : null,
    };
  }

  async closeIdle() {
    const answers = await Promise.all(this.processes.map((p) => p.ask('close')));
    return { closed: sum(answers.map((a) => a.closed)), terminated: sum(answers.map((a) => a.terminated)), ms: Math.max(...answers.map((a) => a.ms)) };
  }

  /** Open clients, and the closes nobody here asked for, over every process. */
  async stats() {
    const answers = await Promise.all(this.processes.map((p) => p.ask('stats')));
    const closeCodes = {};
    for (const a of answers) for (const [code, n] of Object.entries(a.closeCodes)) closeCodes[code] = (closeCodes[code] ?? 0) + n;
    return { open: sum(answers.map((a) => a.open)), unexpectedCloses: sum(answers.map((a) => a.unexpectedCloses)), closeCodes, rss: answers.map((a) => a.rss) };
  }

  /** Closed-loop round trips from the first process (see ws-fleet-child.mjs, traffic). */
  traffic(url, { clients, durationMs, mode, pauseMs = 0, timeoutMs = 10_000 }) {
    const addressBase = this.takeAddresses(1);
    return this.processes[0].ask('traffic', { url, clients, durationMs, mode, pauseMs, timeoutMs, addressBase }, durationMs + 60_000);
  }

  takeAddresses(n) {
    // Addresses are per block of 2,000 connections; a traffic run uses one per client (a few).
    const base = this.nextAddress;
    this.nextAddress += Math.max(n, 64);
    return base;
  }

  async stop() {
    await Promise.all(this.processes.map((p) => p.stop()));
  }
}

function split(total, parts) {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}

function sum(xs) {
  return xs.reduce((a, b) => a + b, 0);
}
