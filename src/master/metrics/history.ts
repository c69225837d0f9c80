// The live page's memory: one sample a second of each worker's rps, memory and event-loop
// utilisation, in a fixed ring (historySeconds long), read from what the master already
// holds. A sample is a few numbers per worker; ten minutes of four workers is about 100 KiB.
import type { ServiceReading } from './snapshot.js';

/** [slot id, pid, rps, rss bytes, heap bytes, elu, stale (0/1)] */
export type WorkerPoint = [number, number | null, number, number, number, number, 0 | 1];

export interface Sample {
  /** ms since the epoch */
  t: number;
  w: WorkerPoint[];
}

export class History {
  private readonly ring: Array<Sample | undefined>;
  private next = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<Sample | undefined>(capacity);
  }

  record(reading: ServiceReading): void {
    const points: WorkerPoint[] = [];
    for (const w of reading.workers) {
      // rss 0: the worker has not reported yet (a chart would dive to 0 at each start).
      if (!w.stats || w.pid === null || w.stats.rss === 0) continue;
      points.push([w.id, w.pid, w.stats.rps, w.stats.rss, w.stats.heapUsed, w.stats.elu, w.busy ? 1 : 0]);
    }
    this.ring[this.next % this.capacity] = { t: reading.now, w: points };
    this.next += 1;
  }

  /** Samples newer than `since` (ms), oldest first. */
  since(since: number): Sample[] {
    const out: Sample[] = [];
    const count = Math.min(this.next, this.capacity);
    for (let i = this.next - count; i < this.next; i++) {
      const sample = this.ring[i % this.capacity]!;
      if (sample.t > since) out.push(sample);
    }
    return out;
  }
}
