// One forked worker as the master sees it: explicit states, a promise for readiness and one
// for its exit, and the request/reply plumbing for stats. `expectedExit` tells an exit we
// asked for (stop, reload, recycle) from a crash, like cluster's exitedAfterDisconnect.
import type { Worker } from 'node:cluster';
import type { WorkerOutput } from '../log/hub.js';
import { PROTO } from '../protocol/envelope.js';
import { droverError } from '../errors/index.js';
import type { ConnectionInfo, WorkerState, WorkerStats } from '../protocol/status.js';
import { EXIT_BOOT_FAILED, type MasterToWorker, type MessageOf, type WorkerToMaster } from '../protocol/worker-messages.js';

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

export interface BootFailure {
  code: string;
  message: string;
  details: string;
  /** What the user can do, when the worker's error knew (a DroverError's hint). */
  hint?: string | undefined;
}

type Handlers = { [T in WorkerToMaster['type']]: (m: MessageOf<WorkerToMaster, T>) => void };

const EMPTY_STATS: WorkerStats = { rss: 0, heapUsed: 0, requests: 0, rps: 0, inflight: 0, connections: 0, elu: 0 };

export class WorkerHandle {
  state: Exclude<WorkerState, 'waiting' | 'errored'> | 'dead' = 'starting';
  expectedExit = false;
  readonly startedAt = Date.now();
  readyAt = 0;
  stats: WorkerStats = EMPTY_STATS;
  bootFailure: BootFailure | null = null;
  exitInfo: ExitInfo | null = null;
  /** Its output as the log hub carries it (the stderr tail shown when it crashes). */
  output: WorkerOutput | null = null;
  /** Settles when the worker reports ready; rejects with a BootFailure if it dies first. */
  readonly ready: Promise<void>;
  readonly exited: Promise<ExitInfo>;
  /** A standby's: settles when it listens for 'boot'. */
  readonly standingBy: Promise<void>;
  isStandingBy = false;
  private settleStandingBy!: () => void;

  private settleReady!: { resolve: () => void; reject: (f: BootFailure) => void };
  private settleExit!: (info: ExitInfo) => void;
  private nextRequestId = 1;
  private readonly replies = new Map<number, (m: WorkerToMaster) => void>();
  private readonly handlers: Handlers = {
    ready: () => this.onReady(),
    'standing-by': () => ((this.isStandingBy = true), this.settleStandingBy()),
    'boot-failed': (m) => (this.bootFailure = { code: m.code, message: m.message, details: m.details, hint: m.hint }),
    stats: (m) => this.onReply(m.requestId, m),
    connections: (m) => this.onReply(m.requestId, m),
    'topology-linked': (m) => this.onReply(m.requestId, m),
    'recycle-me': (m) => this.onRecycleRequest?.(m.reason),
    // Cluster has handled the worker's 'close' of its listener before this message (one ordered
    // channel), so no connection is handed to it after this answer: see handoff-barrier.ts.
    unlistened: () => this.send({ proto: PROTO, type: 'unlistened-ack' }),
  };
  /** Set by the arbiter: the worker asks to be replaced (it reached maxRequests). */
  onRecycleRequest: ((reason: string) => void) | null = null;
  /** When the worker last answered a ping; the monitor calls it hung past hungTimeout. */
  lastAnswerAt = Date.now();
  /**
   * When the oldest request it has not answered was sent (null: it answered everything). A
   * status that finds it silent for a second already says busy at once instead of waiting
   * another second for it.
   */
  unansweredSince: number | null = null;

  constructor(
    readonly worker: Worker,
    readonly slotId: number,
    readonly generation: number,
  ) {
    this.ready = new Promise((resolve, reject) => (this.settleReady = { resolve, reject }));
    this.ready.catch(() => undefined); // observed by whoever awaits it; never unhandled
    this.exited = new Promise((resolve) => (this.settleExit = resolve));
    this.standingBy = new Promise((resolve) => (this.settleStandingBy = resolve));
  }

  get pid(): number {
    return this.worker.process.pid ?? 0;
  }

  get alive(): boolean {
    return this.state !== 'dead';
  }

  dispatch(message: WorkerToMaster): void {
    (this.handlers[message.type] as (m: WorkerToMaster) => void)(message);
  }

  send(message: MasterToWorker): void {
    if (this.alive && this.worker.isConnected()) this.worker.send(message, undefined, () => undefined);
  }

  /** Fails readiness (e.g. ready timeout) without waiting for the exit. */
  failBoot(failure: BootFailure): void {
    this.bootFailure ??= failure;
    this.settleReady.reject(this.bootFailure);
  }

  onExit(info: ExitInfo): void {
    this.state = 'dead';
    this.exitInfo = info;
    if (this.readyAt === 0) {
      const how = info.signal ? `was killed by ${info.signal}` : `exited with code ${info.code}`;
      const exit = info.code === EXIT_BOOT_FAILED ? 'failed to boot' : `${how} before it was ready`;
      this.failBoot({ ...droverError('DROVER_ERR_BOOT_FAILED', { workerId: this.slotId, pid: this.pid, exit }).toJSON(), details: '' });
    }
    for (const reply of this.replies.values()) reply({ proto: PROTO, type: 'stats', requestId: 0, stats: this.stats });
    this.replies.clear();
    this.settleExit(info);
  }

  /** Asks for fresh stats; null if no answer within timeoutMs (the worker is busy). */
  async requestStats(timeoutMs: number): Promise<WorkerStats | null> {
    const reply = await this.request({ type: 'stats-request' }, timeoutMs);
    return reply?.type === 'stats' ? reply.stats : null;
  }

  /** How long the worker has left a request unanswered (0: none pending). */
  silentForMs(now = Date.now()): number {
    return this.unansweredSince === null ? 0 : now - this.unansweredSince;
  }

  async requestConnections(timeoutMs: number): Promise<ConnectionInfo[] | null> {
    const reply = await this.request({ type: 'connections-request' }, timeoutMs);
    return reply?.type === 'connections' ? reply.connections : null;
  }

  /** Tells a business worker the gateways and business slots there are; false if it did not confirm within timeoutMs. */
  async announceTopology(topology: { gateways: number[]; business: number[] }, timeoutMs: number): Promise<boolean> {
    // Not a liveness probe: linking to a new gateway may take a while on a busy host.
    const reply = await this.request({ type: 'topology', ...topology }, timeoutMs, false);
    return reply?.type === 'topology-linked';
  }

  kill(signal: NodeJS.Signals): void {
    if (this.alive) this.worker.process.kill(signal);
  }

  private async request(
    body: { type: 'stats-request' | 'connections-request' } | { type: 'topology'; gateways: number[]; business: number[] },
    timeoutMs: number,
    probe = true,
  ): Promise<WorkerToMaster | null> {
    if (!this.alive) return null;
    const requestId = this.nextRequestId++;
    if (probe) this.unansweredSince ??= Date.now();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.replies.delete(requestId);
        resolve(null);
      }, timeoutMs);
      this.replies.set(requestId, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.send({ proto: PROTO, ...body, requestId });
    });
  }

  private onReady(): void {
    if (this.state !== 'starting') return;
    this.state = 'ready';
    this.readyAt = Date.now();
    this.settleReady.resolve();
  }

  private onReply(requestId: number, message: WorkerToMaster): void {
    // Any answer, even one that comes after its requester gave up, shows the loop is alive.
    if (message.type !== 'topology-linked') this.unansweredSince = null;
    this.lastAnswerAt = Date.now();
    if (message.type === 'stats') this.stats = message.stats;
    this.replies.get(requestId)?.(message);
    this.replies.delete(requestId);
  }
}
