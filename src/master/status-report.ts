// Builds `status` and `connections` answers. Workers are asked in parallel; one that does not
// answer within a second keeps its row, with its last known figures and busy: true. A worker
// already silent for part of that second (the monitor's ping is pending) is waited for only
// for the rest of it, so a hung worker never holds `status` up for more than a second in all.
import cluster from 'node:cluster';
import { getEventListeners } from 'node:events';
import os from 'node:os';
import type { LogHub } from '../log/hub.js';
import type { ConnectionInfo, ServiceStatus, WorkerConnections, WorkerStatus } from '../protocol/status.js';
import type { Arbiter } from './arbiter.js';
import type { WorkerHandle } from './worker-handle.js';

const ANSWER_WITHIN_MS = 1000;

export interface MasterInfo {
  startedAt: Date;
  version: string;
}

export async function buildStatus(arbiter: Arbiter, info: MasterInfo, logs: LogHub): Promise<ServiceStatus> {
  // State, generation and the list of workers are read at one moment, before the wait for the
  // workers' stats: read after it, a reload that ended meanwhile showed "running" at the new
  // generation with the old workers' rows (seen in test/fault/signals.test.ts).
  const { config, state, generation } = arbiter;
  const rows = await Promise.all(listRows(arbiter).map((row) => workerRow(row.handle, row.slotId, arbiter, logs)));
  return {
    service: config.service,
    kind: config.kind,
    state,
    listen: config.listen ? [config.listen.url] : [],
    generation,
    master: {
      pid: process.pid,
      startedAt: info.startedAt.toISOString(),
      rss: process.memoryUsage.rss(),
      node: process.version,
      version: info.version,
      logDropped: logs.masterDropped(),
      resources: countBy(process.getActiveResourcesInfo()),
      listeners: listenerCount(arbiter),
      // Here rather than in the CLI: `status` then loads no os module of its own (1.6M of its
      // ~555M instructions, measured), and --json users get it too.
      loadavg: os.loadavg(),
    },
    workers: rows,
    exits: arbiter.exits.list(),
    lastError: arbiter.lastError ?? arbiter.slots.find((s) => s.errored)?.lastError ?? null,
    ...(arbiter.build ? { build: arbiter.build } : {}),
    log: logs.state(),
  };
}

function countBy(kinds: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Listeners on what lives as long as the master; one left behind per reload shows here. */
function listenerCount(arbiter: Arbiter): number {
  let count = getEventListeners(arbiter.stopSignal, 'abort').length;
  for (const emitter of [process, cluster]) for (const name of emitter.eventNames()) count += emitter.listenerCount(name);
  return count;
}

export async function buildConnections(arbiter: Arbiter): Promise<WorkerConnections[]> {
  return Promise.all(
    listRows(arbiter)
      .filter((row) => row.handle)
      .map(async ({ handle, slotId }) => {
        const wait = ANSWER_WITHIN_MS - handle!.silentForMs();
        const connections: ConnectionInfo[] | null = wait > 0 ? await handle!.requestConnections(wait) : null;
        return { id: slotId, pid: handle!.pid, busy: connections === null, connections: connections ?? [] };
      }),
  );
}

/** One row per slot's current worker, per old worker still draining, per empty slot. */
function listRows(arbiter: Arbiter): Array<{ slotId: number; handle: WorkerHandle | null }> {
  const rows: Array<{ slotId: number; handle: WorkerHandle | null }> = [];
  const current = new Set<WorkerHandle>();
  for (const slot of arbiter.slots) {
    rows.push({ slotId: slot.id, handle: slot.current });
    if (slot.current) current.add(slot.current);
  }
  for (const handle of arbiter.handles.values()) {
    if (!current.has(handle)) rows.push({ slotId: handle.slotId, handle });
  }
  return rows.sort((a, b) => a.slotId - b.slotId);
}

async function workerRow(handle: WorkerHandle | null, slotId: number, arbiter: Arbiter, logs: LogHub): Promise<WorkerStatus> {
  // Only a worker that was ready when asked can be called busy: one still booting may be
  // compiling its code and answer late for that reason.
  const wasReady = handle?.state === 'ready';
  const wait = handle ? ANSWER_WITHIN_MS - handle.silentForMs() : 0;
  const fresh = handle && handle.state !== 'dead' && wait > 0 ? await handle.requestStats(wait) : null;
  // Everything else is read after the wait, so one row never mixes before and after a crash.
  const slot = arbiter.slots.find((s) => s.id === slotId);
  const base = {
    id: slotId,
    role: slot?.role ?? arbiter.config.service,
    restarts: slot?.restarts ?? 0,
    lastError: slot?.lastError ?? null,
    logDropped: logs.droppedBy(slotId),
    lastCrash: slot?.lastCrash ? { ...slot.lastCrash, stderr: slot.lastCrash.stderr?.list() ?? [] } : null,
  };
  // A worker that died on its own meanwhile leaves its slot empty: respawn pending or errored.
  if (!handle || (handle.state === 'dead' && !handle.expectedExit)) {
    return {
      ...base,
      pid: null,
      state: slot?.errored ? 'errored' : 'waiting',
      busy: false,
      generation: arbiter.generation,
      uptimeMs: 0,
      rss: 0, heapUsed: 0, requests: 0, rps: 0, inflight: 0, connections: 0, elu: 0,
    };
  }
  const state = handle.state === 'dead' ? 'stopping' : handle.state;
  return {
    ...base,
    ...handle.stats,
    pid: handle.pid,
    state,
    busy: fresh === null && wasReady && handle.state === 'ready',
    generation: handle.generation,
    uptimeMs: Date.now() - handle.startedAt,
  };
}
