// What the master remembers about a service beyond its live workers: the counters of workers
// that are gone (so a total never goes down when a worker is replaced, crashes or is scaled
// away), reloads and how long they took, restarts, and a short list of recent events for the
// live page. The arbiter writes into it as things happen; metrics only read it.
import type { ReloadResult, WorkerStats } from '../protocol/status.js';

/** Counters a worker reports that must add up across the workers a slot or a service has had. */
export interface CounterSet {
  requests: number;
  wsMessagesIn: number;
  wsMessagesOut: number;
}

export type ServiceEventKind = 'reload' | 'reload-failed' | 'restart' | 'exit' | 'scale' | 'recycle';

export interface ServiceEvent {
  /** ms since the epoch */
  t: number;
  kind: ServiceEventKind;
  /** The worker slot concerned, if one. */
  worker: number | null;
  text: string;
}

/** Upper bounds (seconds) of the reload duration histogram's buckets. */
export const RELOAD_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120] as const;
const MAX_EVENTS = 200;

export function zeroCounters(): CounterSet {
  return { requests: 0, wsMessagesIn: 0, wsMessagesOut: 0 };
}

export function countersOf(stats: WorkerStats): CounterSet {
  return {
    requests: stats.requests,
    wsMessagesIn: stats.ws?.messagesIn ?? 0,
    wsMessagesOut: stats.ws?.messagesOut ?? 0,
  };
}

export function addCounters(into: CounterSet, more: CounterSet): void {
  into.requests += more.requests;
  into.wsMessagesIn += more.wsMessagesIn;
  into.wsMessagesOut += more.wsMessagesOut;
}

export class Ledger {
  /** Counters of exited workers, by slot id (a slot scaled away keeps its entry: the service total needs it). */
  readonly retiredBySlot = new Map<number, CounterSet>();
  readonly retired = zeroCounters();
  restarts = 0;
  reloads = { ok: 0, failed: 0 };
  readonly reloadDuration = { buckets: RELOAD_BUCKETS.map(() => 0), sum: 0, count: 0 };
  readonly events: ServiceEvent[] = [];

  /** A worker exited: its last reported counters move to its slot's and the service's totals. */
  retire(slotId: number, stats: WorkerStats): void {
    const counters = countersOf(stats);
    const slot = this.retiredBySlot.get(slotId) ?? zeroCounters();
    addCounters(slot, counters);
    this.retiredBySlot.set(slotId, slot);
    addCounters(this.retired, counters);
  }

  recordReload(result: ReloadResult): void {
    if (!result.ok) {
      this.reloads.failed += 1;
      this.note('reload-failed', null, result.error?.message ?? 'reload failed');
      return;
    }
    this.reloads.ok += 1;
    const seconds = result.durationMs / 1000;
    RELOAD_BUCKETS.forEach((le, i) => {
      if (seconds <= le) this.reloadDuration.buckets[i]! += 1;
    });
    this.reloadDuration.sum += seconds;
    this.reloadDuration.count += 1;
    this.note('reload', null, `reload to generation ${result.generation} in ${result.durationMs} ms`);
  }

  recordRestart(slotId: number, why: string): void {
    this.restarts += 1;
    this.note('restart', slotId, why);
  }

  note(kind: ServiceEventKind, worker: number | null, text: string): void {
    this.events.push({ t: Date.now(), kind, worker, text });
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
  }
}
