// A worker's own figures: request and connection counters, a requests-per-second rate over a
// sliding window (so a one-shot `status` under load is not 0), memory, event-loop utilisation.
//
// Counting a request is one increment: no clock read. The rate comes from samples of the
// counter taken when figures are asked for (the master's monitor asks every second), not from
// per-request time buckets: a Date.now() per request cost about 2% of a hello-world worker's
// CPU (profiled; see the perf note).
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { WorkerStats, WsGatewayStats } from '../protocol/status.js';

const WINDOW_MS = 10_000;

interface Sample {
  at: number;
  requests: number;
}

export class WorkerCounters {
  requests = 0;
  /** Routed WebSocket messages being handled (the business worker counts them). */
  inflight = 0;
  /** Set by the HTTP service: its requests in flight, counted from its connections when asked. */
  httpInflight: (() => number) | null = null;
  /** Kept by the WebSocket gateway; the HTTP service counts its connections when asked (httpConnections). */
  connections = 0;
  httpConnections: (() => number) | null = null;
  /** Oldest first; the first one is the base the rate is measured from. */
  private readonly samples: Sample[];
  private lastElu: EventLoopUtilization = performance.eventLoopUtilization();

  /** Set by a WebSocket gateway: its clients, groups and message counters. */
  wsStats: (() => WsGatewayStats) | null = null;

  /** Set by the worker: called once, when requests reaches requestLimit (0 = no limit). */
  requestLimit = 0;
  onRequestLimit: (() => void) | null = null;

  constructor(startedAt = Date.now()) {
    this.samples = [{ at: startedAt, requests: 0 }];
  }

  onRequest(): void {
    if (++this.requests === this.requestLimit) this.onRequestLimit?.();
  }

  /**
   * Requests per second over the last WINDOW_MS (a little more: from the newest sample at
   * least that old), up to now, so a status taken right after a burst is not 0. A young
   * worker divides by its age instead. Records a sample at `now`.
   */
  rps(now = Date.now()): number {
    const samples = this.samples;
    // Keep as base the newest sample that is at least a window old; drop the ones before it.
    let base = 0;
    while (base + 1 < samples.length && now - samples[base + 1]!.at >= WINDOW_MS) base += 1;
    if (base > 0) samples.splice(0, base);
    const from = samples[0]!;
    if (now - samples[samples.length - 1]!.at >= 1000 || samples.length === 1) samples.push({ at: now, requests: this.requests });
    const seconds = Math.max(1, (now - from.at) / 1000);
    return Math.round(((this.requests - from.requests) / seconds) * 10) / 10;
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
      inflight: this.httpInflight ? this.httpInflight() : this.inflight,
      connections: this.httpConnections ? this.httpConnections() : this.connections,
      elu: Math.round(elu.utilization * 1000) / 1000,
      ...(this.wsStats ? { ws: this.wsStats() } : {}),
    };
  }
}
