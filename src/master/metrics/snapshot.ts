// One consistent reading of a service for the metrics endpoint and the live page, taken from
// what the master already holds: the figures each worker last reported (the monitor asks
// every second) and the ledger. Nothing here waits for a worker, so a busy one cannot stall
// a scrape: it shows its last figures and how old they are.
import type { WorkerStats } from '../../protocol/status.js';
import type { Arbiter } from '../arbiter.js';
import { addCounters, countersOf, zeroCounters, type CounterSet } from '../ledger.js';

export interface WorkerReading {
  id: number;
  role: string;
  /** null: the slot waits for a respawn, or is errored. */
  pid: number | null;
  state: string;
  busy: boolean;
  generation: number;
  restarts: number;
  stats: WorkerStats | null;
  /** Seconds since the worker last answered a stats request. */
  staleSeconds: number;
  /** This slot's counters, over every worker it has had. */
  totals: CounterSet;
  /** Log lines of this slot's workers that the master could not write, over every worker it has had. */
  logLinesDropped: number;
}

export interface ServiceReading {
  now: number;
  service: string;
  kind: string;
  state: string;
  generation: number;
  workers: WorkerReading[];
  /** The service's counters over every worker it has had, including slots scaled away. */
  totals: CounterSet;
  /** Log lines that could not be written: the workers' (every slot ever) and the master's own. */
  logLinesDropped: { workers: number; master: number };
}

/** A worker's figures are stale past this: the monitor asks every second. */
export const STALE_AFTER_SECONDS = 3;

export function readService(arbiter: Arbiter, now = Date.now()): ServiceReading {
  const totals = zeroCounters();
  addCounters(totals, arbiter.ledger.retired);
  const liveBySlot = new Map<number, CounterSet>();
  for (const handle of arbiter.handles.values()) {
    const counters = countersOf(handle.stats);
    addCounters(totals, counters);
    const slot = liveBySlot.get(handle.slotId) ?? zeroCounters();
    addCounters(slot, counters);
    liveBySlot.set(handle.slotId, slot);
  }
  const workers = arbiter.slots.map((slot): WorkerReading => {
    const slotTotals = zeroCounters();
    const retired = arbiter.ledger.retiredBySlot.get(slot.id);
    if (retired) addCounters(slotTotals, retired);
    const live = liveBySlot.get(slot.id);
    if (live) addCounters(slotTotals, live);
    const h = slot.current;
    const staleSeconds = h ? Math.max(0, (now - h.lastAnswerAt) / 1000) : 0;
    return {
      id: slot.id,
      role: slot.role,
      pid: h?.pid ?? null,
      state: h ? h.state : slot.errored ? 'errored' : 'waiting',
      busy: h !== null && h.state === 'ready' && staleSeconds > STALE_AFTER_SECONDS,
      generation: h?.generation ?? arbiter.generation,
      restarts: slot.restarts,
      stats: h ? h.stats : null,
      staleSeconds,
      totals: slotTotals,
      logLinesDropped: arbiter.logs.droppedBy(slot.id),
    };
  });
  const { config } = arbiter;
  return { now, service: config.service, kind: config.kind, state: arbiter.state, generation: arbiter.generation, workers, totals, logLinesDropped: { workers: arbiter.logs.workersDropped(), master: arbiter.logs.masterDropped() } };
}
