// A slot is a place for one worker: it keeps its id, its role and its history while the
// processes in it come and go (crash, respawn, reload). Back-off and the errored state are
// decided here, from that history.
import type { BackoffConfig } from '../config/types.js';
import type { WorkerRole } from '../protocol/status.js';
import type { TailBuffer } from '../log/tail-buffer.js';
import type { WorkerHandle } from './worker-handle.js';

/** The last unexpected exit in a slot. `stderr` is read when shown: the pipe may still be delivering the dying worker's last lines when it is reaped. */
export interface LastCrash {
  pid: number;
  code: number | null;
  signal: string | null;
  at: string;
  stderr: TailBuffer | null;
}

export class Slot {
  current: WorkerHandle | null = null;
  /** Processes started in this slot after the first one (crash respawns and recycles). */
  restarts = 0;
  /** Consecutive crashes of workers that had booted; reset by a stable run. */
  crashes = 0;
  /** Consecutive workers that died before they were ready. */
  bootFailures = 0;
  respawnAt = 0;
  errored = false;
  lastError: string | null = null;
  lastCrash: LastCrash | null = null;
  /** Which of its two inspector ports the slot's last worker got (config "inspect"). */
  inspectPortOffset = 1;

  constructor(
    readonly id: number,
    readonly role: WorkerRole,
  ) {}

  /** Records an unexpected exit and says how long to wait before the next spawn. */
  recordCrash(handle: WorkerHandle, backoff: BackoffConfig, maxBootFailures: number, now: number): number {
    this.current = null;
    if (handle.readyAt === 0) {
      this.bootFailures += 1;
      this.lastError = handle.bootFailure?.message ?? 'the worker died before it was ready';
      if (this.bootFailures >= maxBootFailures) this.errored = true;
    } else {
      const stable = now - handle.readyAt >= backoff.resetAfterMs;
      this.crashes = stable ? 1 : this.crashes + 1;
      this.bootFailures = 0;
      const how = handle.exitInfo?.signal ? `killed by ${handle.exitInfo.signal}` : `exit code ${handle.exitInfo?.code}`;
      this.lastError = `worker pid ${handle.pid} died (${how})`;
    }
    const failures = Math.max(this.crashes, this.bootFailures);
    const delay = Math.min(backoff.initialMs * 2 ** Math.max(0, failures - 1), backoff.maxMs);
    this.respawnAt = now + delay;
    return delay;
  }

  /** A worker of this slot reported ready: its boot problems are over. */
  recordReady(): void {
    this.bootFailures = 0;
    this.errored = false;
  }
}
