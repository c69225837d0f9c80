// What every kind of service gives the worker's main loop.
import type { ConnectionInfo } from '../protocol/status.js';

export interface RunningService {
  connections(): ConnectionInfo[];
  /**
   * Graceful: stop accepting and let what is in flight finish. Not graceful: close now.
   * Either way the listening handle is closed synchronously, before the first await
   * (the worker's hand-off barrier is sent right after: handoff-barrier.ts).
   */
  stop(graceful: boolean): Promise<void>;
}
