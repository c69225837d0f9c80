// master ⇄ worker messages over cluster IPC: a discriminated union on `type`, tagged with
// PROTO. A new type without a handler in the dispatch tables is a compile error.
import type { ConnectionInfo, WorkerStats } from './status.js';
import { isTagged, type Tagged } from './envelope.js';

export type MasterToWorker = Tagged<
  | { type: 'stats-request'; requestId: number }
  | { type: 'connections-request'; requestId: number }
  /** scaledAway: the service goes on without this worker (scale down): its clients are told to reconnect. */
  | { type: 'stop'; graceful: boolean; scaledAway?: boolean }
  /** WebSocket business workers: the gateways and business slots there are now (scale, reload). */
  | { type: 'topology'; requestId: number; gateways: number[]; business: number[] }
  /** Answer to 'unlistened': every connection handed to this worker before it closed its listener is on its way. */
  | { type: 'unlistened-ack' }
  /** To a standby (forked with DROVER_STANDBY=1): load the user's code now and report ready. */
  | { type: 'boot' }
>;

export type WorkerToMaster = Tagged<
  | { type: 'ready'; address: string | null }
  /** A standby listens for 'boot' from here (a message sent before would be lost while its modules load). */
  | { type: 'standing-by' }
  | { type: 'boot-failed'; code: string; message: string; details: string; hint?: string }
  | { type: 'stats'; requestId: number; stats: WorkerStats }
  | { type: 'connections'; requestId: number; connections: ConnectionInfo[] }
  /** Answer to 'topology': linked to every gateway named (or gave up on one at the worker's own bound). */
  | { type: 'topology-linked'; requestId: number }
  | { type: 'recycle-me'; reason: string }
  /** Sent right after the worker closed its listening handle; see src/worker/handoff-barrier.ts. */
  | { type: 'unlistened' }
>;

export type MessageOf<U extends { type: string }, T extends U['type']> = Extract<U, { type: T }>;

export function parseWorkerMessage(value: unknown): WorkerToMaster | null {
  return isTagged(value) ? (value as WorkerToMaster) : null;
}

export function parseMasterMessage(value: unknown): MasterToWorker | null {
  return isTagged(value) ? (value as MasterToWorker) : null;
}

/** Reserved exit code: the worker could not boot (gunicorn's WORKER_BOOT_ERROR). */
export const EXIT_BOOT_FAILED = 3;
