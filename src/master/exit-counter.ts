// Unexpected worker exits, counted by (code, signal) for `status`.
import type { ExitCount } from '../protocol/status.js';

export class ExitCounter {
  private readonly counts = new Map<string, ExitCount>();

  record(code: number | null, signal: string | null): void {
    const key = `${code}/${signal}`;
    const entry = this.counts.get(key) ?? { code, signal, count: 0 };
    entry.count += 1;
    this.counts.set(key, entry);
  }

  list(): ExitCount[] {
    return [...this.counts.values()].map((e) => ({ ...e }));
  }
}
