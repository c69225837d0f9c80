// Entry point of every worker (cluster.setupPrimary's exec). Boots the service named by the
// validated config the master passed in DROVER_CONFIG, reports ready, answers stats requests
// and drains on request. It never decides the service's fate: the master does.
import path from 'node:path';
import type { ServiceConfig } from '../config/types.js';
import { describeError, DroverError } from '../errors/index.js';
import { guardStdio } from '../log/guard.js';
import { batchStdout, unbatch } from '../log/stdout-batch.js';
import { pinTickObjectMaps } from '../core/pin-tick-maps.js';
import { PROTO } from '../protocol/envelope.js';
import {
  EXIT_BOOT_FAILED,
  parseMasterMessage,
  type MasterToWorker,
  type MessageOf,
  type WorkerToMaster,
} from '../protocol/worker-messages.js';
import { workerContextFromEnv } from './context.js';
import { loadCustomHandler, startCustomService } from './custom-service.js';
import { startHttpService } from './http-service.js';
import { HandoffBarrier } from './handoff-barrier.js';
import { ModuleHooks } from './module-hooks.js';
import type { RunningService } from './service.js';
import { WorkerCounters } from './stats.js';
import { replaceWorkerOnUncaughtError } from './uncaught.js';
import { codeFileFor, prepareTypeScript } from './user-module.js';

/** onWorkerStop gets this long on a graceful stop, a tenth of it on a fast one. */
const STOP_HOOK_MS = 5000;

// stdout and stderr are pipes to the master, which prefixes every line with the time, the
// service, this worker's id and pid, and the stream. A write that fails never kills us.
// stdout goes out in batches of a few ms (one wake-up of the master per batch, not per line).
guardStdio();
batchStdout();
pinTickObjectMaps();
const config = JSON.parse(process.env.DROVER_CONFIG ?? 'null') as ServiceConfig;
const worker = workerContextFromEnv(process.env);
const counters = new WorkerCounters();
counters.requestLimit = Number(process.env.DROVER_MAX_REQUESTS ?? 0);
counters.onRequestLimit = () =>
  send({ proto: PROTO, type: 'recycle-me', reason: `served ${counters.requestLimit} requests (maxRequests)` });
let service: RunningService | null = null;
let hooks = ModuleHooks.empty();
let stopping: Promise<void> | null = null;
/** Settles when boot() is over, either way (a topology announcement waits for it). */
let booted!: () => void;
const bootDone = new Promise<void>((resolve) => (booted = resolve));
const handoffs = new HandoffBarrier();
let wake: (() => void) | null = null;

type Handlers = { [T in MasterToWorker['type']]: (m: MessageOf<MasterToWorker, T>) => void };
const handlers: Handlers = {
  'stats-request': (m) => send({ proto: PROTO, type: 'stats', requestId: m.requestId, stats: counters.snapshot() }),
  'connections-request': (m) =>
    send({ proto: PROTO, type: 'connections', requestId: m.requestId, connections: service?.connections() ?? [] }),
  stop: (m) => stop(m.graceful, m.scaledAway === true),
  topology: (m) => void applyTopology(m),
  'unlistened-ack': () => handoffs.onAck(),
  boot: () => wake?.(),
};

process.on('message', (raw) => {
  const message = parseMasterMessage(raw);
  if (message) (handlers[message.type] as (m: MasterToWorker) => void)(message);
});
// The master is gone (its IPC channel closed): no orphans. A busy worker never gets here;
// the master's orphan sentinel kills those.
process.on('disconnect', () => stop(false));
// Ctrl-C and Ctrl-\ reach the whole foreground process group: the master decides, not us.
process.on('SIGINT', () => undefined);
process.on('SIGQUIT', () => undefined);
process.on('SIGTERM', () => stop(true));
// No signal from another process may take a worker down or open a debug port: the master
// decides (a terminal hang-up reaches the whole process group, the master reloads). Node opens
// its inspector on 127.0.0.1:9229 for an unhandled SIGUSR1; it is opened only with the
// "inspect" config key (README). SIGPIPE is ignored by Node itself.
for (const signal of ['SIGUSR1', 'SIGUSR2', 'SIGHUP'] as const) process.on(signal, () => undefined);

function log(message: string): void {
  if (worker.workerId === 1) process.stdout.write(`${message}\n`);
}

function send(message: WorkerToMaster, then?: () => void): void {
  if (!process.connected) return void then?.();
  process.send!(message, undefined, {}, () => then?.());
}

/** Answered once this worker has applied it (after its boot, if it is still booting). */
async function applyTopology(m: MessageOf<MasterToWorker, 'topology'>): Promise<void> {
  await bootDone;
  try {
    await service?.topology?.({ gateways: m.gateways, business: m.business });
  } finally {
    send({ proto: PROTO, type: 'topology-linked', requestId: m.requestId });
  }
}

function stop(graceful: boolean, scaledAway = false): void {
  if (stopping) {
    if (!graceful) void service?.stop(false);
    return;
  }
  // From here on nothing is held: a worker killed at stopTimeout has written every line.
  unbatch();
  stopping = (async () => {
    // stop() closes the listening handle before it first yields; then no hand-off may be in flight.
    const stopped = service?.stop(graceful, { scaledAway });
    const settled = service && config.listen ? handoffs.wait(send) : Promise.resolve();
    await stopped;
    await settled;
    await withTimeout(hooks.run('onWorkerStop', worker), graceful ? STOP_HOOK_MS : STOP_HOOK_MS / 10).catch((error) =>
      process.stderr.write(`${(error as Error).stack ?? error}\n`),
    );
    process.exit(0);
  })();
}

async function boot(): Promise<void> {
  try {
    if (worker.codeRoot !== worker.root) log(`running compiled JavaScript from ${path.relative(worker.root, worker.codeRoot) || '.'}/`);
    if (config.kind === 'custom') hooks = await loadCustomHandler(config, worker);
    // WebSocket gateways run no user code (so they never need reloading).
    else if (!(config.kind === 'ws' && worker.role === 'gateway')) hooks = await ModuleHooks.fromAppDir(worker.codeRoot, (f) => codeFileFor(f, worker));
    await hooks.run('onWorkerStart', worker);
    if (config.kind === 'http') {
      service = await startHttpService(config, worker, counters);
      replaceWorkerOnUncaughtError(worker, (reason) => send({ proto: PROTO, type: 'recycle-me', reason }));
    }
    // Loaded only here: ws, tls and zlib cost an HTTP worker about 9 MiB it never uses.
    else if (config.kind === 'ws') service = await (await import('../ws/service.js')).startWsService(config, worker, counters, hooks);
    else service = startCustomService();
    send({ proto: PROTO, type: 'ready', address: config.listen?.url ?? null });
  } catch (error) {
    // Not printed here: the master hands the failure, code and hint included, to whoever
    // asked (the CLI prints it once at start-up; a reload or a respawn logs it).
    const e = error as Error;
    const known = e instanceof DroverError;
    const code = known ? e.code : 'DROVER_ERR_BOOT_FAILED';
    const details = (known ? e.details : e.stack) ?? (known ? '' : String(e));
    // A code of its own travels with the worker's wording of the boot failure around it.
    const { message } = describeError('DROVER_ERR_BOOT_FAILED', { workerId: worker.workerId, pid: process.pid, failure: e.message });
    const boot = { proto: PROTO, type: 'boot-failed', code, message, details } as const;
    send(known && e.hint ? { ...boot, hint: e.hint } : boot, () => process.exit(EXIT_BOOT_FAILED));
  }
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`onWorkerStop did not finish within ${ms} ms`)), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/**
 * A standby (hot reload, src/master/arbiter.ts prewarm): node, drover's modules and the
 * TypeScript loader come up while the master's debounce waits; the user's code loads only
 * when the master says 'boot', once the burst of saves is over.
 */
async function standBy(): Promise<void> {
  const woken = new Promise<void>((resolve) => (wake = resolve));
  send({ proto: PROTO, type: 'standing-by' });
  const sources = config.kind === 'http' ? [config.app] : config.kind === 'custom' ? [config.handler] : [];
  // A failure here shows again, with its code, when the user's code loads.
  await prepareTypeScript(worker.codeRoot, sources).catch(() => undefined);
  await woken;
}

if (process.env.DROVER_STANDBY === '1') await standBy();
await boot();
booted();
