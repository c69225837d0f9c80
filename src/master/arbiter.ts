// The master's state and its loop. Everything that changes the set of workers happens in
// run(), one command at a time: `handle commands → manage workers`. Cluster events only
// record what happened and enqueue; they never spawn or kill.
import cluster from 'node:cluster';
import path from 'node:path';
import { loadServiceConfig } from '../config/load.js';
import { reloadableRole } from '../config/roles.js';
import type { ServiceConfig } from '../config/types.js';
import { DroverError, droverError, describeError, isErrorCode } from '../errors/index.js';
import type { LogHub } from '../log/hub.js';
import { plural } from '../core/words.js';
import { distDir } from '../core/paths.js';
import { PROTO } from '../protocol/envelope.js';
import type { StopMode } from '../protocol/control-messages.js';
import type { BuildReport, Interrupted, ReloadResult, ScaleResult, ServiceState } from '../protocol/status.js';
import { checkBuild, describeBuild } from './build-check.js';
import { parseWorkerMessage } from '../protocol/worker-messages.js';
import { isAbandoned, type Command, type CommandQueue, type Waiter } from './command-queue.js';
import { ExitCounter } from './exit-counter.js';
import { Ledger } from './ledger.js';
import type { Notifier } from './sd-notify.js';
import type { OrphanSentinel } from './orphan-sentinel.js';
import { applyOverrides, newSlotIds, resolveRole, roleCount, rolesOf, slotsToRemove, targetCount, withRoleCount, type ScaleOverride, type ScaleTarget } from './scale.js';
import { Slot } from './slot.js';
import { WorkerHandle, type BootFailure } from './worker-handle.js';
import { roleNodeFlags } from './worker-flags.js';

/** How long a fast stop (SIGINT/SIGQUIT) gives workers before SIGKILL. */
const FAST_STOP_MS = 3000;

export interface ArbiterOptions {
  root: string;
  config: ServiceConfig;
  queue: CommandQueue;
  sentinel: OrphanSentinel;
  debug: boolean;
  /** The project's compiled-code folder (config/worker_process.* build.outDir). */
  buildDir: string;
  /** systemd's readiness protocol; does nothing outside a Type=notify unit. */
  notifier?: Notifier;
  log(message: string): void;
  /** A line the operator must see: on stderr, where supervisors show it as a warning. */
  warn(message: string): void;
  /** Carries the workers' stdout and stderr into the log, with their prefixes. */
  logs: LogHub;
}

export class Arbiter {
  state: ServiceState = 'starting';
  generation = 1;
  /** What the workers run: the config file's, with any counts set by `scale` (see scale.ts). */
  config: ServiceConfig;
  /** The config as the file said at start or at the last reload. */
  private fileConfig: ServiceConfig;
  /** Counts set by `scale`, by role, and the file's count each was set against. */
  private readonly scaled = new Map<string, ScaleOverride>();
  readonly slots: Slot[] = [];
  /** Every slot id handed out so far and its role (scale.ts newSlotIds). */
  private readonly slotRoles = new Map<number, string>();
  /** Every live worker by cluster id, including old ones still draining. */
  readonly handles = new Map<number, WorkerHandle>();
  readonly exits = new ExitCounter();
  readonly ledger = new Ledger();
  lastError: string | null = null;
  /** How the production build lags behind its sources, checked at start and every reload. */
  build: BuildReport | null = null;
  private respawnTimer: NodeJS.Timeout | null = null;
  /**
   * Debug mode: the next generation's workers, forked when a burst of saves begins so that
   * node, drover and the TypeScript loader boot while the debounce waits (about 600 of the
   * 750 ms a worker took from fork to ready, measured in the hot-reload lab). They load no
   * user code until the reload wakes them, so they run the code as it was saved last.
   */
  private standbys: { config: string; generation: number; handles: Map<number, WorkerHandle> } | null = null;
  private readonly queue: CommandQueue;

  /** The one writer of the service's log; it counts the lines it could not write, by slot. */
  get logs(): LogHub {
    return this.options.logs;
  }

  constructor(private readonly options: ArbiterOptions) {
    this.config = options.config;
    this.fileConfig = options.config;
    this.queue = options.queue;
    this.queue.onStopEscalated = (mode) => this.escalateStop(mode);
  }

  /** Aborted when a stop is asked for (diagnostics count its listeners). */
  get stopSignal(): AbortSignal {
    return this.queue.stopSignal;
  }

  private log(message: string): void {
    this.options.log(message);
  }

  setupCluster(): void {
    // Must be set before the first fork; it cannot change for the life of the master.
    cluster.schedulingPolicy = this.config.schedulingPolicy === 'none' ? cluster.SCHED_NONE : cluster.SCHED_RR;
    // silent: the workers' stdout and stderr are pipes to this process, which prefixes their
    // lines and writes them to the one log (src/log/hub.ts).
    cluster.setupPrimary({ exec: path.join(distDir, 'worker', 'main.js'), args: [], silent: true });
    cluster.on('message', (worker, message) => {
      const parsed = parseWorkerMessage(message);
      if (parsed) this.handles.get(worker.id)?.dispatch(parsed);
    });
    cluster.on('exit', (worker, code, signal) => {
      const handle = this.handles.get(worker.id);
      if (handle) this.reapWorker(handle, code, signal);
    });
  }

  /** Spawns every slot and waits until all are ready; the first boot failure aborts start-up. */
  async start(): Promise<void> {
    this.checkBuild();
    this.slots.push(...planSlots(this.config).map((p) => new Slot(p.id, p.role)));
    for (const slot of this.slots) this.slotRoles.set(slot.id, slot.role);
    const handles = this.slots.map((slot) => this.spawnWorker(slot));
    try {
      await Promise.all(handles.map((h) => h.ready));
    } catch (failure) {
      const f = failure as BootFailure;
      await this.stopWorkers('force');
      // The worker's own code and hint reach the CLI (DROVER_ERR_APP_LOAD, _PORT_IN_USE, ...);
      // an error of the user's code with no code of ours is a start-up failure.
      const code = isErrorCode(f.code) && f.code !== 'DROVER_ERR_BOOT_FAILED' ? f.code : 'DROVER_ERR_START_FAILED';
      const words = describeError('DROVER_ERR_START_FAILED', { service: this.config.service, failure: f.message, stackBelow: Boolean(f.details) });
      throw new DroverError(code, { message: words.message, hint: f.hint ?? words.hint }, { details: f.details || undefined });
    }
    this.state = 'running';
    this.log(`${this.config.service} running: ${plural(handles.length, 'worker')} (${handles.map((h) => h.pid).join(', ')})`);
  }

  async run(): Promise<void> {
    for (;;) {
      const command = await this.queue.next();
      if (command.kind === 'stop') {
        await this.stopWorkers(command.mode, command.reason);
        return;
      }
      await this.handle(command);
      this.manageWorkers();
    }
  }

  private async handle(command: Exclude<Command, { kind: 'stop' }>): Promise<void> {
    switch (command.kind) {
      case 'reload':
        return this.reload(command);
      case 'scale':
        return this.scale(command.role, command.target, command.waiters);
      case 'reap':
        return; // manageWorkers() runs after every command
      case 'prewarm':
        return this.prewarm(command.next === true);
      case 'recycle':
        return this.recycle(command.workerId, command.pid, command.reason, command.hung === true);
      default:
        assertNever(command);
    }
  }

  // ── spawn, reap, manage ────────────────────────────────────────────────────────────────

  /**
   * A send to a worker that is exiting fails with EPIPE (or ERR_IPC_CHANNEL_CLOSED) and cluster
   * emits that on the Worker; with no listener it would kill the master. Node's own round-robin
   * handle sends too: a port taken at start answers every waiting worker with the error, and one
   * of them may already be gone (seen in CI). The worker's exit is reaped as usual, so those two
   * say nothing new; anything else is logged.
   */
  private workerOnError(slotId: number, pid: number | undefined, error: NodeJS.ErrnoException): void {
    if (error.code === 'EPIPE' || error.code === 'ERR_IPC_CHANNEL_CLOSED' || error.code === 'ECONNRESET') return;
    this.log(`worker ${slotId} (pid ${pid ?? '?'}): IPC error ${error.code ?? ''} ${error.message}`);
  }

  /** A standby boots up to the user's code and waits for 'boot' (see prewarm); no ready deadline until then. */
  spawnWorker(slot: Slot, generation = this.generation, standby = false): WorkerHandle {
    const inspectPort = this.inspectorPort(slot);
    // cluster appends --inspect-port=<inspectPort> itself when execArgv opens an inspector.
    const flags = [...roleNodeFlags(slot.role, { ...process.env, ...this.config.env }), ...ownNodeFlags()];
    cluster.setupPrimary(inspectPort === null ? { execArgv: flags } : { execArgv: [...flags, `--inspect=127.0.0.1:${inspectPort}`], inspectPort });
    const worker = cluster.fork({
      ...this.config.env,
      DROVER_WORKER: '1',
      DROVER_SERVICE: this.config.service,
      DROVER_WORKER_ID: String(slot.id),
      DROVER_ROLE: slot.role,
      DROVER_GENERATION: String(generation),
      DROVER_ROOT: this.options.root,
      DROVER_DEBUG: this.options.debug ? '1' : '0',
      DROVER_BUILD_DIR: this.options.buildDir,
      DROVER_CONFIG: JSON.stringify(this.config),
      DROVER_MAX_REQUESTS: String(this.requestLimit()),
      DROVER_STANDBY: standby ? '1' : '0',
      ...(this.config.kind === 'ws' ? { DROVER_WS_TOPOLOGY: JSON.stringify(this.topology()) } : {}),
    });
    worker.on('error', (error: NodeJS.ErrnoException) => this.workerOnError(slot.id, worker.process.pid, error));
    const handle = new WorkerHandle(worker, slot.id, generation);
    handle.output = this.options.logs.attach(slot.id, handle.pid, worker.process.stdout, worker.process.stderr);
    handle.onRecycleRequest = (reason) => this.queue.push({ kind: 'recycle', workerId: slot.id, pid: handle.pid, reason });
    this.handles.set(worker.id, handle);
    if (handle.pid) this.options.sentinel.add(handle.pid);
    // Until it takes a slot, a standby's exit is nobody's crash (its boot failure still fails the reload).
    if (standby) handle.expectedExit = true;
    else {
      if (slot.current === null) slot.current = handle;
      this.armReadyTimeout(slot, handle);
    }
    return handle;
  }

  private armReadyTimeout(slot: Slot, handle: WorkerHandle): void {
    const timer = setTimeout(() => {
      handle.failBoot({ ...droverError('DROVER_ERR_BOOT_FAILED', { workerId: slot.id, pid: handle.pid, readyTimeout: this.config.readyTimeout }).toJSON(), details: '' });
      handle.kill('SIGKILL');
    }, this.config.readyTimeout);
    handle.ready.then(
      () => {
        clearTimeout(timer);
        if (slot.current === handle) slot.recordReady();
      },
      () => clearTimeout(timer),
    );
  }

  /**
   * The worker's inspector port when the config asks for one ("inspect"). Each slot has two
   * ports and alternates between them, so that a replacement (started before the worker it
   * replaces has gone) never finds its port taken.
   */
  private inspectorPort(slot: Slot): number | null {
    if (this.config.inspect === null) return null;
    slot.inspectPortOffset = 1 - slot.inspectPortOffset;
    return this.config.inspect + 2 * (slot.id - 1) + slot.inspectPortOffset;
  }

  /** maxRequests plus a random share of the jitter, so workers don't all recycle at once. */
  private requestLimit(): number {
    const { maxRequests, maxRequestsJitter } = this.config;
    return maxRequests === 0 ? 0 : maxRequests + Math.floor(Math.random() * (maxRequestsJitter + 1));
  }

  private reapWorker(handle: WorkerHandle, code: number | null, signal: string | null): void {
    handle.onExit({ code, signal });
    this.ledger.retire(handle.slotId, handle.stats);
    this.handles.delete(handle.worker.id);
    this.options.sentinel.remove(handle.pid);
    if (handle.expectedExit || this.state === 'stopping' || this.state === 'starting') return;
    this.exits.record(code, signal);
    const slot = this.slots.find((s) => s.current === handle);
    if (!slot) return; // a replacement that failed during a reload: the rollout deals with it
    this.ledger.note('exit', slot.id, `worker ${slot.id} (pid ${handle.pid}) exited (${signal ?? `code ${code}`})`);
    const delay = slot.recordCrash(handle, this.config.backoff, this.config.maxBootFailures, Date.now());
    slot.lastCrash = { pid: handle.pid, code, signal, at: new Date().toISOString(), stderr: handle.output?.stderrTail ?? null };
    if (slot.errored) {
      this.log(`worker ${slot.id} failed to boot ${slot.bootFailures} times in a row: not respawning (errored). Last error: ${slot.lastError}`);
      if (handle.bootFailure?.details) this.log(handle.bootFailure.details);
    } else {
      const why = handle.bootFailure ? handle.bootFailure.message : `worker ${slot.id} (pid ${handle.pid}) exited unexpectedly (${signal ?? `code ${code}`})`;
      this.log(`${why}; respawning in ${delay} ms`);
    }
    this.queue.push({ kind: 'reap' });
  }

  /** Reconciles slots with live workers: respawns whatever is due, schedules the rest. */
  manageWorkers(): void {
    if (this.state === 'stopping') return;
    const now = Date.now();
    let next = Infinity;
    for (const slot of this.slots) {
      if (slot.current || slot.errored) continue;
      if (slot.respawnAt <= now) {
        slot.restarts += 1;
        const handle = this.spawnWorker(slot);
        this.ledger.recordRestart(slot.id, `worker ${slot.id} respawned (pid ${handle.pid})`);
      } else next = Math.min(next, slot.respawnAt);
    }
    if (this.respawnTimer) clearTimeout(this.respawnTimer);
    this.respawnTimer = Number.isFinite(next) ? setTimeout(() => this.queue.push({ kind: 'reap' }), next - now) : null;
    this.state = this.slots.some((s) => s.errored) ? 'errored' : 'running';
  }

  // ── reload and recycle ─────────────────────────────────────────────────────────────────

  /**
   * Hot reload: forks the next generation as standbys when a burst of saves begins, one at a
   * time: each is forked once the one before stands by. Booting them all at once split the
   * CPU between them on a loaded 2-core machine, so the first was ready later than a lone
   * `reload`'s fork (bench: 1.86 s vs 1.20 s); one at a time, the first is ready soonest.
   */
  private prewarm(next: boolean): void {
    // An inspector port alternates per spawn (inspectorPort): a standby dropped unused would
    // leave the next spawn on the port of the worker still running, so "inspect" goes without.
    if (!this.options.debug || this.state !== 'running' || this.config.inspect !== null || !this.config.reloadable) return;
    // The next standby of a burst whose reload has already taken (or dropped) the others: none.
    if (next && !this.standbys) return;
    const generation = this.generation + 1;
    this.standbys ??= { config: this.standbyKey(this.config), generation, handles: new Map() };
    const { handles } = this.standbys;
    if (this.standbys.generation !== generation || [...handles.values()].some((h) => h.alive && !h.isStandingBy)) return;
    const slot = this.planReload(this.config).roll.find((s) => !handles.get(s.id)?.alive);
    if (!slot) return;
    const handle = this.spawnWorker(slot, generation, true);
    handles.set(slot.id, handle);
    void handle.standingBy.then(() => this.queue.push({ kind: 'prewarm', next: true }));
  }

  /**
   * The replacements for a reload to `config`: the standbys, woken all at once so they load the
   * code side by side, and fresh forks for slots that have none yet; an empty map (fork as
   * usual) if the config changed since they were forked. reload() drops whatever no slot took.
   */
  private wakeStandbys(config: ServiceConfig, roll: Slot[]): Map<number, WorkerHandle> {
    const standbys = this.standbys;
    const usable = standbys && standbys.handles.size > 0 && standbys.config === this.standbyKey(config) && standbys.generation === this.generation;
    if (!usable) return new Map();
    const woken = new Map<number, WorkerHandle>();
    for (const slot of roll) {
      const handle = standbys.handles.get(slot.id);
      if (handle?.alive) {
        void handle.standingBy.then(() => handle.send({ proto: PROTO, type: 'boot' }));
        this.armReadyTimeout(slot, handle);
        woken.set(slot.id, handle);
      } else {
        // Listed with the standbys, so that a rollout that stops early drops it too.
        const fresh = this.spawnWorker(slot);
        standbys.handles.set(slot.id, fresh);
        woken.set(slot.id, fresh);
      }
    }
    return woken;
  }

  /** What a standby took from its environment at fork: the config, and the gateways' layout of a ws service. */
  private standbyKey(config: ServiceConfig): string {
    return JSON.stringify(config) + (config.kind === 'ws' ? JSON.stringify(this.topology()) : '');
  }

  /** Standbys no slot took: drained like a retiring worker when they got as far as ready, else killed. */
  private dropStandbys(handles: Iterable<WorkerHandle>): void {
    for (const handle of handles) {
      if (!handle.alive || this.slots.some((s) => s.current === handle)) continue;
      handle.expectedExit = true;
      if (handle.state === 'ready') void this.retireWorker(handle, this.config.stopTimeout);
      else handle.kill('SIGKILL');
    }
  }

  /** Rolling, surge-first: for each slot, a ready replacement before the old worker retires. */
  private async reload(command: Extract<Command, { kind: 'reload' }>): Promise<void> {
    const { reason, waiters } = command;
    if (isAbandoned(command)) {
      this.log(`reload (${reason}) dropped: every client that asked for it had given up before it could start`);
      return;
    }
    this.options.notifier?.reloading(`reloading (${reason})`);
    const result = await this.rollingReload(reason);
    if (this.standbys) this.dropStandbys(this.standbys.handles.values());
    this.standbys = null;
    this.ledger.recordReload(result);
    this.options.notifier?.ready(result.ok ? `running, generation ${this.generation}` : `reload failed, the old workers keep serving: ${result.error?.message ?? ''}`);
    for (const w of waiters) w.resolve(result);
  }

  private async rollingReload(reason: string): Promise<ReloadResult> {
    const startedAt = Date.now();
    const fail = (code: string, message: string, details?: string, hint?: string): ReloadResult => {
      this.lastError = message;
      // Workers print nothing of their own boot failure: the stack is shown here, once.
      this.log(`reload failed: ${message}${details ? `\n${details.trimEnd()}` : ''}`);
      return { ok: false, durationMs: Date.now() - startedAt, replaced, generation: this.generation, error: { code, message, details, ...(hint ? { hint } : {}) } };
    };
    const replaced: ReloadResult['replaced'] = [];
    const added: NonNullable<ReloadResult['added']> = [];
    const removed: NonNullable<ReloadResult['removed']> = [];
    let fileConfig: ServiceConfig;
    try {
      fileConfig = await loadServiceConfig(this.options.root, this.config.service);
    } catch (error) {
      const e = error as DroverError;
      return fail(e.code ?? 'DROVER_ERR_CONFIG', describeError('DROVER_ERR_RELOAD_FAILED', { configRefused: e.message }).message, undefined, e.hint);
    }
    const previousConfig = this.config;
    if (!this.config.reloadable) {
      this.log(`reload (${reason}) ignored: "reloadable" is false for ${this.config.service}`);
      return { ok: true, durationMs: 0, replaced, generation: this.generation };
    }
    const previousScaled = new Map(this.scaled);
    const { config, kept, dropped } = applyOverrides(fileConfig, this.scaled);
    const notes = [...kept, ...dropped];
    // The metrics listener is bound once, at start (run-master.ts).
    if (JSON.stringify(fileConfig.metrics) !== JSON.stringify(this.fileConfig.metrics)) notes.push('"metrics" changed in the config: the listener moves at the next restart');
    for (const note of notes) this.log(`reload: ${note}`);
    this.config = config;
    this.checkBuild();
    this.config = previousConfig;
    const previous = { config: this.config, fileConfig: this.fileConfig, generation: this.generation };
    this.state = 'reloading';
    this.config = config;
    this.fileConfig = fileConfig;
    this.generation += 1;
    // Gateways first, added or removed as by `scale`: the business workers started below link
    // to the gateways there are then, and a removed gateway's clients get their last answers
    // from the business workers that already serve them.
    const resized = await this.resizeFixedRoles(config, added, removed);
    if (resized) {
      Object.assign(this, previous);
      this.scaled.clear();
      for (const [role, o] of previousScaled) this.scaled.set(role, o);
      this.state = 'running';
      return fail(resized.code, describeError('DROVER_ERR_RELOAD_FAILED', { rolloutStopped: resized.message }).message, resized.details, resized.hint);
    }
    if (config.kind === 'ws' && previous.config.kind === 'ws') {
      // A rollback below keeps the gateways this reload added or removed.
      previous.config = withRoleCount(previous.config, 'gateway', config.gateway.count);
      if (config.gateway.count !== roleCount(previousConfig, 'gateway')) previousScaled.set('gateway', { count: config.gateway.count, fileCount: roleCount(previous.fileConfig, 'gateway') });
    }
    const plan = this.planReload(config);
    this.log(`reload (${reason}): replacing ${plural(plan.roll.length, 'worker')} one at a time`);
    for (const slot of plan.added) this.slotRoles.set(slot.id, slot.role);
    this.slots.push(...plan.added);
    const retiring: Array<Promise<Interrupted | null>> = [];
    const standbys = this.wakeStandbys(config, plan.roll);
    const pending = [...plan.roll];
    while (pending.length > 0) {
      // Standbys load the code side by side: the first one ready takes its slot first.
      const slot = standbys.size > 0 ? await firstSettled(pending, standbys) : pending[0]!;
      pending.splice(pending.indexOf(slot), 1);
      if (this.queue.stopSignal.aborted) break;
      const old = slot.current;
      const fresh = standbys.get(slot.id) ?? this.spawnWorker(slot);
      const failure = await this.waitReady(fresh);
      if (failure) {
        fresh.expectedExit = true;
        fresh.kill('SIGKILL');
        await fresh.exited;
        if (slot.current === fresh) slot.current = old;
        // Slots added for a larger count that never got a worker go away again.
        this.slots.splice(0, this.slots.length, ...this.slots.filter((s) => s.current !== null || !plan.added.includes(s)));
        if (replaced.length === 0) {
          Object.assign(this, previous);
          this.scaled.clear();
          for (const [role, o] of previousScaled) this.scaled.set(role, o);
        }
        this.state = 'running';
        return fail(failure.code, describeError('DROVER_ERR_RELOAD_FAILED', { rolloutStopped: failure.message }).message, failure.details, failure.hint);
      }
      slot.current = fresh;
      fresh.expectedExit = false;
      slot.recordReady();
      replaced.push({ id: slot.id, oldPid: old?.pid ?? null, newPid: fresh.pid });
      if (!old) added.push({ id: slot.id, pid: fresh.pid, ...(config.kind === 'ws' ? { role: slot.role } : {}) });
      if (old) retiring.push(this.retireWorker(old, this.config.stopTimeout));
    }
    for (const slot of plan.removed) {
      this.slots.splice(this.slots.indexOf(slot), 1);
      removed.push({ id: slot.id, pid: slot.current?.pid ?? null, ...(config.kind === 'ws' ? { role: slot.role } : {}) });
      if (slot.current) retiring.push(this.retireWorker(slot.current, this.config.stopTimeout));
    }
    // Business workers learn the business slots there are now (gateways pin clients to them).
    if (plan.added.length > 0 || plan.removed.length > 0) retiring.push(this.announceTopology().then(() => null));
    const rolledMs = Date.now() - startedAt;
    const interrupted = (await Promise.all(retiring)).filter((i): i is Interrupted => i !== null);
    this.state = 'running';
    this.lastError = null;
    const drainedMs = Date.now() - startedAt;
    this.log(`reload done in ${rolledMs} ms (old workers drained after ${drainedMs} ms): ${replaced.map((r) => `${r.oldPid ?? '-'} → ${r.newPid}`).join(', ')}`);
    return { ok: true, durationMs: rolledMs, drainedMs, replaced, added, removed, notes, interrupted, generation: this.generation, ...(this.build ? { build: this.build } : {}) };
  }

  /** Production only: says loudly when the compiled code lags behind its sources. */
  private checkBuild(): void {
    if (this.options.debug) return;
    this.build = checkBuild(this.options.root, this.options.buildDir, this.config);
    if (this.build) this.options.warn(describeBuild(this.build));
  }

  /** Waits for readiness; a stop that arrives meanwhile counts as a failure of this step. */
  private async waitReady(handle: WorkerHandle): Promise<BootFailure | null> {
    const stop = this.queue.stopSignal;
    const stopped: BootFailure = { ...droverError('DROVER_ERR_RELOAD_FAILED', { stopDuringReload: true }).toJSON(), details: '' };
    if (stop.aborted) return stopped;
    // The signal lives as long as the master: its listener goes as soon as this wait is over,
    // or every reload would leave one per worker behind (MaxListenersExceededWarning at the 6th).
    let onAbort!: () => void;
    const aborted = new Promise<BootFailure>((resolve) => (onAbort = () => resolve(stopped)));
    stop.addEventListener('abort', onAbort, { once: true });
    try {
      return await Promise.race([handle.ready.then(() => null, (f: BootFailure) => f), aborted]);
    } finally {
      stop.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Which slots a reload to `config` rolls (in order), adds and removes, for the roles a reload
   * replaces. Slots keep their ids: a role that shrinks loses its highest ids, one that grows
   * gets ids as `scale` gives them. Roles a reload does not replace (WebSocket gateways hold the
   * client connections) change only in number, before this (resizeFixedRoles).
   */
  private planReload(config: ServiceConfig): { roll: Slot[]; added: Slot[]; removed: Slot[] } {
    const added: Slot[] = [];
    const removed: Slot[] = [];
    for (const role of rolesOf(config).filter((r) => reloadableRole(config, r))) {
      const have = this.slots.filter((s) => s.role === role).length;
      const want = roleCount(config, role);
      if (want < have) removed.push(...slotsToRemove(this.slots, role, have - want));
      const live = new Set(this.slots.map((s) => s.id));
      for (const id of newSlotIds(this.slotRoles, live, role, Math.max(0, want - have))) added.push(new Slot(id, role));
    }
    const roll = [...this.slots.filter((s) => reloadableRole(config, s.role) && !removed.includes(s)), ...added].sort((a, b) => a.id - b.id);
    return { roll, added, removed };
  }

  /**
   * A reload's config may change the count of a role it does not replace (gateways): those
   * workers are added or removed as `scale` does, the others left alone. Null, or the failure.
   */
  private async resizeFixedRoles(config: ServiceConfig, added: Array<{ id: number; pid: number | null; role?: string }>, removed: Array<{ id: number; pid: number | null; role?: string }>): Promise<BootFailure | null> {
    for (const role of rolesOf(config).filter((r) => !reloadableRole(config, r))) {
      const have = this.slots.filter((s) => s.role === role).length;
      const want = roleCount(config, role);
      if (want > have) {
        const grown = await this.addSlots(role, want - have);
        if ('failure' in grown) return grown.failure;
        added.push(...grown.handles.map((h) => ({ id: h.slotId, pid: h.pid, role })));
      } else if (want < have) removed.push(...(await this.removeSlots(role, have - want)));
    }
    return null;
  }

  // ── scale ──────────────────────────────────────────────────────────────────────────────

  private async scale(role: string | null, target: ScaleTarget, waiters: Array<Waiter<ScaleResult>>): Promise<void> {
    const result = await this.scaleRole(role, target);
    if (result.ok && result.from !== result.to) this.ledger.note('scale', null, `${result.role}: ${result.from} → ${result.to} workers`);
    for (const w of waiters) w.resolve(result);
  }

  /**
   * Adds or removes workers of one role, leaving the others alone: new ones must all be ready
   * (or none stays); removed ones drain as in a reload. Ids stay as planSlots numbers them.
   */
  private async scaleRole(requestedRole: string | null, target: ScaleTarget): Promise<ScaleResult> {
    const startedAt = Date.now();
    const result: ScaleResult = { ok: false, role: requestedRole ?? '', from: 0, to: 0, added: [], removed: [], durationMs: 0 };
    let role: string;
    try {
      if (!['running', 'errored'].includes(this.state)) {
        throw droverError('DROVER_ERR_SCALE_REFUSED', { service: this.config.service, state: this.state });
      }
      role = resolveRole(this.config, requestedRole);
      result.role = role;
      result.from = this.slots.filter((s) => s.role === role).length;
      result.to = targetCount(result.from, target, this.config.service, role);
    } catch (error) {
      // A refusal has its code; anything else is a bug, answered as DROVER_ERR_INTERNAL by the control server.
      if (!(error instanceof DroverError)) throw error;
      return { ...result, error: error.toJSON() };
    }
    const previous = this.config;
    this.config = withRoleCount(this.config, role, result.to);
    if (result.to > result.from) {
      const grown = await this.addSlots(role, result.to - result.from);
      if ('failure' in grown) {
        this.config = previous;
        const f = grown.failure;
        this.log(`scale ${role} ${result.from} → ${result.to} failed: ${f.message}`);
        return { ...result, durationMs: Date.now() - startedAt, error: droverError('DROVER_ERR_SCALE_FAILED', f.hint ? { failure: f.message, failureHint: f.hint } : { failure: f.message }, { details: f.details || undefined }).toJSON() };
      }
      result.added = grown.handles.map((h) => ({ id: h.slotId, pid: h.pid }));
    } else if (result.to < result.from) {
      result.removed = await this.removeSlots(role, result.from - result.to);
    }
    this.scaled.set(role, { count: result.to, fileCount: roleCount(this.fileConfig, role) });
    this.log(`scaled ${role} from ${result.from} to ${result.to} workers${result.added.length ? `: added ${result.added.map((a) => a.pid).join(', ')}` : ''}${result.removed.length ? `: removed ${result.removed.map((r) => r.pid ?? '-').join(', ')}` : ''}`);
    return { ...result, ok: true, durationMs: Date.now() - startedAt };
  }

  /**
   * Adds `count` workers of `role` in new slots and waits until all are ready, or removes them
   * all again at the first failure. New gateways are announced to the business workers, and
   * this resolves once those have linked to them.
   */
  private async addSlots(role: string, count: number): Promise<{ handles: WorkerHandle[] } | { failure: BootFailure }> {
    const fresh = newSlotIds(this.slotRoles, new Set(this.slots.map((s) => s.id)), role, count).map((id) => new Slot(id, role));
    for (const slot of fresh) this.slotRoles.set(slot.id, role);
    this.slots.push(...fresh);
    this.slots.sort((a, b) => a.id - b.id);
    const handles = fresh.map((slot) => this.spawnWorker(slot));
    const failures = (await Promise.all(handles.map((h) => this.waitReady(h)))).filter((f) => f !== null);
    if (failures.length > 0) {
      for (const h of handles) ((h.expectedExit = true), h.kill('SIGKILL'));
      await Promise.all(handles.map((h) => h.exited));
      this.slots.splice(0, this.slots.length, ...this.slots.filter((s) => !fresh.includes(s)));
      return { failure: failures[0]! };
    }
    await this.announceTopology();
    return { handles };
  }

  /**
   * Removes `count` workers of `role` (the highest slot ids) and waits until they have drained.
   * Gateways are announced gone first, so that business workers do not try to link to them
   * again, but keep their links to answer the clients those gateways still hold.
   */
  private async removeSlots(role: string, count: number): Promise<Array<{ id: number; pid: number | null; role: string }>> {
    const leaving = slotsToRemove(this.slots, role, count);
    this.slots.splice(0, this.slots.length, ...this.slots.filter((s) => !leaving.includes(s)));
    if (role === 'gateway') await this.announceTopology();
    await Promise.all(leaving.flatMap((s) => (s.current ? [this.retireWorker(s.current, this.config.stopTimeout, true, true)] : [])));
    if (role !== 'gateway') await this.announceTopology();
    return leaving.map((s) => ({ id: s.id, pid: s.current?.pid ?? null, role }));
  }

  /** The WebSocket service's slots by role, as business workers are told (ws/topology.ts). */
  private topology(): { gateways: number[]; business: number[] } {
    const ids = (role: string) => this.slots.filter((s) => s.role === role).map((s) => s.id).sort((a, b) => a - b);
    return { gateways: ids('gateway'), business: ids('business') };
  }

  /**
   * Tells every business worker the current layout and waits (at most readyTimeout) until each
   * has linked to every gateway in it. A worker started meanwhile had it in its environment.
   */
  private async announceTopology(): Promise<void> {
    if (this.config.kind !== 'ws') return;
    const topology = this.topology();
    const workers = this.slots.filter((s) => s.role === 'business' && s.current?.alive).map((s) => s.current!);
    const answers = await Promise.all(workers.map((h) => h.announceTopology(topology, this.config.readyTimeout)));
    const silent = workers.filter((_, i) => !answers[i]);
    if (silent.length > 0) {
      this.log(`business workers ${silent.map((h) => `${h.slotId} (pid ${h.pid})`).join(', ')} did not confirm the gateways ${topology.gateways.join(', ')} within ${this.config.readyTimeout} ms; they keep trying`);
    }
  }

  /** Replaces one worker the rolling way: the replacement is ready before the old one goes. */
  private async recycle(workerId: number, pid: number, reason: string, hung = false): Promise<void> {
    const slot = this.slots.find((s) => s.id === workerId);
    const old = slot?.current;
    if (!slot || !old || old.pid !== pid || !['running', 'errored'].includes(this.state)) return;
    this.log(`recycling worker ${workerId} (pid ${pid}): ${reason}`);
    const fresh = this.spawnWorker(slot);
    const failure = await this.waitReady(fresh);
    if (failure) {
      fresh.expectedExit = true;
      fresh.kill('SIGKILL');
      this.log(`recycle of worker ${workerId} abandoned: ${failure.message}`);
      return;
    }
    slot.current = fresh;
    slot.restarts += 1;
    this.ledger.recordRestart(slot.id, `worker ${workerId} recycled (${reason})`);
    // A hung worker cannot drain: its event loop never gets to run the drain.
    if (hung) {
      old.expectedExit = true;
      old.kill('SIGKILL');
    } else void this.retireWorker(old, this.config.stopTimeout);
  }

  /**
   * Takes a worker out of rotation and lets it drain; SIGKILL after `deadlineMs` (null = never).
   * Resolves with what was cut short at the deadline, if anything.
   */
  private async retireWorker(handle: WorkerHandle, deadlineMs: number | null, graceful = true, scaledAway = false): Promise<Interrupted | null> {
    handle.expectedExit = true;
    handle.state = 'stopping';
    handle.send(scaledAway ? { proto: PROTO, type: 'stop', graceful, scaledAway } : { proto: PROTO, type: 'stop', graceful });
    let interrupted: Interrupted | null = null;
    const timer =
      deadlineMs === null
        ? null
        : setTimeout(async () => {
            // Ask once more (briefly) so the report says how many requests the kill cuts.
            const stats = await handle.requestStats(200);
            const inflight = (stats ?? handle.stats).inflight;
            interrupted = { id: handle.slotId, pid: handle.pid, inflight, connections: (stats ?? handle.stats).connections };
            this.log(`worker ${handle.slotId} (pid ${handle.pid}) still draining after ${deadlineMs} ms (${inflight} requests in flight): SIGKILL`);
            handle.kill('SIGKILL');
          }, deadlineMs);
    await handle.exited;
    if (timer) clearTimeout(timer);
    return interrupted;
  }

  // ── stop ───────────────────────────────────────────────────────────────────────────────

  private async stopWorkers(mode: StopMode, reason = 'stop'): Promise<void> {
    this.state = 'stopping';
    this.options.notifier?.stopping(`stopping (${reason})`);
    if (this.respawnTimer) clearTimeout(this.respawnTimer);
    const live = [...this.handles.values()];
    if (live.length > 0) this.log(`stopping ${plural(live.length, 'worker')} (${mode}, ${reason})`);
    if (mode === 'force') live.forEach((h) => ((h.expectedExit = true), h.kill('SIGKILL')));
    const deadline = mode === 'wait' ? null : mode === 'fast' ? Math.min(FAST_STOP_MS, this.config.stopTimeout) : this.config.stopTimeout;
    await Promise.all(live.map((h) => this.retireWorker(h, deadline, mode === 'graceful' || mode === 'wait')));
  }

  private escalateStop(mode: StopMode): void {
    if (this.state !== 'stopping') return;
    this.log(`stop escalated to ${mode}`);
    const live = [...this.handles.values()];
    for (const h of live) {
      if (mode === 'force') h.kill('SIGKILL');
      else h.send({ proto: PROTO, type: 'stop', graceful: false });
    }
    // A fast stop's deadline replaces the graceful one still running (a second Ctrl-C after a
    // SIGTERM must not wait for stopTimeout).
    if (mode === 'fast') setTimeout(() => live.forEach((h) => h.kill('SIGKILL')), FAST_STOP_MS).unref();
  }
}

/** The master's own Node flags, minus any inspector: a worker gets one only through "inspect". */
function ownNodeFlags(): string[] {
  return process.execArgv.filter((a) => !/^--(inspect|debug)/.test(a));
}

/** The slots a config asks for, ids in order: one role for http and custom services, gateways then business workers for ws. */
export function planSlots(config: ServiceConfig): Array<{ id: number; role: string }> {
  const roles: Array<[string, number]> =
    config.kind === 'ws'
      ? [['gateway', config.gateway.count], ['business', config.business.count]]
      : [[config.kind === 'http' ? 'http' : config.service, config.count]];
  const slots: Array<{ id: number; role: string }> = [];
  for (const [role, count] of roles) for (let i = 0; i < count; i++) slots.push({ id: slots.length + 1, role });
  return slots;
}

/** The slot whose standby is ready (or has failed) first. */
function firstSettled(slots: Slot[], standbys: Map<number, WorkerHandle>): Promise<Slot> {
  return Promise.race(slots.map((slot) => standbys.get(slot.id)!.ready.then(() => slot, () => slot)));
}

function assertNever(value: never): never {
  throw new Error(`unhandled command ${JSON.stringify(value)}`);
}
