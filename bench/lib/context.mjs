// What every scenario gets: the settings of the mode, a logger, and the targets, started on
// first use and kept running for the scenarios that follow (each one's idle memory is read
// once, right after it started, before any load).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { makeExampleProject, makeHelloProject, freePort } from './project.mjs';
import { sleep } from './procs.mjs';
import { BareCluster, DroverService, SingleProcess } from './targets.mjs';

/** Settings per mode; runBench({ settings }) overrides any of them (the smoke test does). */
export const MODES = {
  quick: {
    rounds: 2,
    durationS: 3,
    warmupS: 1,
    connections: 32,
    newConnectionConcurrency: 16,
    // Throughput (scenario 1): its own rounds and run length (see there why more, shorter runs).
    // Targets are listed so that each compared pair sits side by side.
    throughputRounds: 2,
    throughputDurationS: 3,
    keepAliveTargets: ['drover-rr', 'bare-rr', 'single'],
    newConnectionTargets: ['drover-rr', 'bare-rr', 'bare-none', 'drover-none', 'single'],
    reloadRounds: 2,
    reloadLoadS: 5,
    reloadAtS: 2,
    reloadAutocannon: false,
    statusRuns: 15,
    freshRuns: 5,
    residentRequestsPerRound: 50,
    settleMs: 1000,
    // WebSocket (scenario 6): idle clients per server (drover's spread over 2 gateways)
    wsClients: 2000,
    wsRounds: 2,
    wsBroadcasts: 3,
    wsSettleMs: 1500,
    wsRoundTripClients: 8,
    wsRoundTripS: 2,
    wsReloadRounds: 1,
    wsReloadIdleClients: 500,
    wsReloadLoadS: 5,
    wsReloadAtS: 1.5,
    // Hot reload (scenario 7)
    hotReloadRounds: 2,
    hotReloadDebounceMs: 300,
    hotReloadLoadS: 4,
    hotReloadConnections: 4,
    hotReloadPauseMs: 5,
  },
  full: {
    rounds: 5,
    durationS: 10,
    warmupS: 2,
    connections: 32,
    newConnectionConcurrency: 16,
    throughputRounds: 10,
    throughputDurationS: 5,
    // bare-rr-2, a second bare primary beside bare-rr, is the A/A control: what two identical
    // clusters measure apart, round by round, on this machine (the noise floor of every ratio).
    keepAliveTargets: ['drover-rr', 'bare-rr', 'bare-rr-2', 'bare-none', 'drover-none', 'single'],
    newConnectionTargets: ['drover-rr', 'bare-rr', 'bare-rr-2', 'bare-none', 'drover-none', 'single'],
    reloadRounds: 5,
    reloadLoadS: 8,
    reloadAtS: 3,
    reloadAutocannon: true,
    statusRuns: 40,
    freshRuns: 15,
    residentRequestsPerRound: 100,
    settleMs: 2000,
    wsClients: 10_000,
    wsRounds: 3,
    wsBroadcasts: 5,
    wsSettleMs: 2000,
    wsRoundTripClients: 8,
    wsRoundTripS: 5,
    wsReloadRounds: 2,
    wsReloadIdleClients: 2000,
    wsReloadLoadS: 8,
    wsReloadAtS: 3,
    hotReloadRounds: 3,
    hotReloadDebounceMs: 300,
    hotReloadLoadS: 5,
    hotReloadConnections: 4,
    hotReloadPauseMs: 5,
  },
};

export const TARGET_LABELS = {
  'drover-rr': 'drover, 2 workers, rr',
  'drover-none': 'drover, 2 workers, none',
  'bare-rr': 'bare node:cluster, 2 workers, rr',
  'bare-none': 'bare node:cluster, 2 workers, none',
  'bare-rr-2': 'a second bare node:cluster, 2 workers, rr (the A/A control)',
  single: 'single process',
  'drover-example': 'drover, example app (tsx), 2 workers',
};

export class BenchContext {
  constructor({ mode, settings, registry, tempDir, log }) {
    Object.assign(this, { mode, settings, registry, tempDir, log });
    this.started = new Map();
    this.idleMemory = new Map();
    this.loaded = new Set();
    this.projects = null;
    this.clockTicks = clockTicksPerSecond();
  }

  /** Ports and project folders for every target, decided once. */
  async layout() {
    if (this.projects) return this.projects;
    const ports = {};
    for (const name of Object.keys(TARGET_LABELS)) ports[name] = await freePort();
    // The rr service is called "http" so that `drover http status` (scenario 3) talks to it.
    const hello = makeHelloProject(this.tempDir, [
      { service: 'http', port: ports['drover-rr'], schedulingPolicy: 'rr' },
      { service: 'none', port: ports['drover-none'], schedulingPolicy: 'none' },
    ]);
    const example = makeExampleProject(this.tempDir, { service: 'http', port: ports['drover-example'] });
    this.projects = { ports, hello, example };
    return this.projects;
  }

  /** The target by name, started (and its idle memory read) on first use. */
  async target(name) {
    if (this.started.has(name)) return this.started.get(name);
    const { ports, hello, example } = await this.layout();
    const registry = this.registry;
    const port = ports[name];
    const target = {
      'drover-rr': () => new DroverService({ name, root: hello.root, service: 'http', port, registry }),
      'drover-none': () => new DroverService({ name, root: hello.root, service: 'none', port, registry }),
      'bare-rr': () => new BareCluster({ name, appPath: hello.appPath, port, schedulingPolicy: 'rr', registry }),
      'bare-none': () => new BareCluster({ name, appPath: hello.appPath, port, schedulingPolicy: 'none', registry }),
      'bare-rr-2': () => new BareCluster({ name, appPath: hello.appPath, port, schedulingPolicy: 'rr', registry }),
      single: () => new SingleProcess({ name, appPath: hello.appPath, port, registry }),
      'drover-example': () => new DroverService({ name, root: example.root, service: 'http', port, registry }),
    }[name]?.();
    if (!target) throw new Error(`unknown target "${name}"`);
    this.log(`  starting ${TARGET_LABELS[name]} on 127.0.0.1:${port}`);
    target.label = TARGET_LABELS[name];
    const startedAt = performance.now();
    await target.start();
    target.startMs = performance.now() - startedAt;
    this.started.set(name, target);
    await sleep(this.settings.settleMs);
    this.idleMemory.set(name, await target.counters());
    return target;
  }

  /** CPU seconds (user + system) a process has used so far, from /proc; null elsewhere. */
  cpuSeconds(pid) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / this.clockTicks;
    } catch {
      return null;
    }
  }

  /** Stops every started target through its own stop path; returns the errors met. */
  async stopTargets() {
    const errors = [];
    for (const [name, target] of [...this.started].reverse()) {
      try {
        await target.stop();
      } catch (error) {
        errors.push(`${name}: ${error.message}`);
      }
    }
    this.started.clear();
    return errors;
  }
}

function clockTicksPerSecond() {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}
