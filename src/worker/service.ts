// What every kind of service gives the worker's main loop.
import type { ConnectionInfo } from '../protocol/status.js';

export interface RunningService {
  connections(): ConnectionInfo[];
  /**
   * Graceful: stop accepting and let what is in flight finish. Not graceful: close now.
   * Either way the listening handle is closed synchronously, before the first await
   * (the worker's hand-off barrier is sent right after: handoff-barrier.ts).
   */
  stop(graceful: boolean, options?: StopOptions): Promise<void>;
  /** WebSocket business workers: link to the gateways named, leave the others (scale, reload). */
  topology?(topology: Topology): Promise<void>;
}

export interface StopOptions {
  /** The service goes on without this worker (scale down): clients are told to reconnect elsewhere. */
  scaledAway?: boolean;
}

/** The WebSocket service's worker slots by role, as the master last announced them. */
export interface Topology {
  gateways: number[];
  business: number[];
}
