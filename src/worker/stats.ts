// A worker's own figures: request and connection counters, a requests-per-second rate over a
// sliding window (so a one-shot `status` under load is not 0), memory, event-loop utilisation.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { WorkerStats, WsGatewayStats } from '../protocol/status.js';

const WINDOW_SECONDS = 10;

export class WorkerCounters {
  requests = 0;
  inflight = 0;
  connections = 0;
  private readonly startedAt = Date.now();
  private readonly buckets = new Array<number>(WINDOW_SECONDS).fill(0);
  private readonly bucketSecond = new Array<number>(WINDOW_SECONDS).fill(-1);
  private lastElu: EventLoopUtilization = performance.eventLoopUtilization();

  /** Set by a WebSocket gateway: its clients, groups and message counters. */
  wsStats: (() => WsGatewayStats) | null = null;

  /** Set by the worker: called once, when requests reaches requestLimit (0 = no limit). */
  requestLimit = 0;
  onRequestLimit: (() => void) | null = null;

  onRequest(): void {
    this.requests += 1;
    if (this.requests === this.requestLimit) this.onRequestLimit?.();
    const second = Math.floor(Date.now() / 1000);
    const i = second % WINDOW_SECONDS;
    if (this.bucketSecond[i] !== second) {
      this.bucketSecond[i] = second;
      this.buckets[i] = 0;
    }
    this.buckets[i]! += 1;
  }

  /**
   * Requests per second over the last WINDOW_SECONDS, the current second included, so a
   * status taken right after a burst is not 0. A young worker divides by its age instead.
   */
  rps(now = Date.now()): number {
    const current = Math.floor(now / 1000);
    let total = 0;
    for (let i = 0; i < WINDOW_SECONDS; i++) {
      const s = this.bucketSecond[i]!;
      if (s <= current && s > current - WINDOW_SECONDS) total += this.buckets[i]!;
    }
    const span = Math.min(WINDOW_SECONDS, Math.max(1, (now - this.startedAt) / 1000));
    return Math.round((total / span) * 10) / 10;
  }

  snapshot(): WorkerStats {
    const memory = process.memoryUsage();
    const elu = performance.eventLoopUtilization(this.lastElu);
    this.lastElu = performance.eventLoopUtilization();
    return {
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      requests: this.requests,
      rps: this.rps(),
      inflight: this.inflight,
      connections: this.connections,
      elu: Math.round(elu.utilization * 1000) / 1000,
      ...(this.wsStats ? { ws: this.wsStats() } : {}),
    };
  }
}
