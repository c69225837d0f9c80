// Watches the live workers once a second: one stats ping each over IPC (cheap next to the
// accept path). A worker above maxMemory is recycled; one that has not answered for
// hungTimeout is replaced and killed. maxRequests is counted by the worker itself, exactly,
// and arrives as a 'recycle-me' message.
import { reloadableRole } from '../config/roles.js';
import type { Arbiter } from './arbiter.js';
import type { CommandQueue } from './command-queue.js';

const TICK_MS = 1000;

export class WorkerMonitor {
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  /** Workers already reported as over maxMemory but not recyclable (WebSocket gateways). */
  private readonly warned = new Set<number>();

  constructor(
    private readonly arbiter: Arbiter,
    private readonly queue: CommandQueue,
    private readonly log: (message: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.arbiter.state === 'stopping') return;
    this.ticking = true;
    try {
      const { maxMemory, hungTimeout } = this.arbiter.config;
      const ready = this.arbiter.slots.flatMap((s) => (s.current?.state === 'ready' ? [{ handle: s.current, role: s.role }] : []));
      await Promise.all(
        ready.map(async ({ handle, role }) => {
          const stats = await handle.requestStats(TICK_MS);
          const now = Date.now();
          if (stats && maxMemory > 0 && stats.rss > maxMemory) {
            // Replacing a gateway would drop its clients: say so once, and leave it.
            if (!reloadableRole(this.arbiter.config, role)) {
              if (!this.warned.has(handle.pid)) this.log(`${role} worker ${handle.slotId} (pid ${handle.pid}): rss ${stats.rss} bytes > maxMemory ${maxMemory}; not recycled, its clients would be dropped`);
              this.warned.add(handle.pid);
              return;
            }
            this.queue.push({ kind: 'recycle', workerId: handle.slotId, pid: handle.pid, reason: `rss ${stats.rss} bytes > maxMemory ${maxMemory}` });
          } else if (!stats && hungTimeout > 0 && now - handle.lastAnswerAt > hungTimeout) {
            this.queue.push({ kind: 'recycle', workerId: handle.slotId, pid: handle.pid, reason: `no answer for ${now - handle.lastAnswerAt} ms (hungTimeout ${hungTimeout})`, hung: true });
          }
        }),
      );
    } finally {
      this.ticking = false;
    }
  }
}
