// The names at the top of the public folder, kept current by one non-recursive fs.watch (one
// inotify watch). The static handler asks it first so that a request whose first segment names
// nothing there goes to the app with no syscall: the miss cost a realpath and a stat on the
// thread pool per app request, and "the app with public/ ÷ without" measured 0.47–0.80 (issue 14).
//
// It may only answer "absent" when the folder holds no such name; every doubt is "maybe", which
// leaves the full check (realpath containment, dot-files, deny list) to decide as before.
import fs from 'node:fs';

/** How often, at most, a request may try to watch the folder again after the watch was lost. */
const REARM_INTERVAL_MS = 1000;

export class PublicNames {
  /** null while there is no working watch: every name is then "maybe". */
  private names: Set<string> | null = null;
  private watcher: fs.FSWatcher | null = null;
  private watchedIno = -1;
  private refreshing = false;
  /** An event arrived while a read was in flight: that read may be stale, read again. */
  private changedDuringRead = false;
  private lastArm = 0;
  private closed = false;

  constructor(private readonly dir: string) {
    this.arm();
  }

  /** false when the folder holds no entry of that name; true when it does or when we cannot tell. */
  mayHold(name: string): boolean {
    if (this.names) return this.names.has(name);
    if (!this.closed && Date.now() - this.lastArm >= REARM_INTERVAL_MS) this.arm();
    return true;
  }

  close(): void {
    this.closed = true;
    this.lose();
  }

  // Watch first, then read: a name created between the two is seen by the watch.
  private arm(): void {
    this.lastArm = Date.now();
    this.unwatch();
    try {
      const ino = fs.statSync(this.dir).ino;
      // persistent: false — the watch must not keep a draining worker alive.
      const watcher = fs.watch(this.dir, { persistent: false }, (_event, filename) => this.onChange(filename));
      watcher.on('error', () => this.lose());
      this.watcher = watcher;
      this.watchedIno = ino;
      this.names = new Set(fs.readdirSync(this.dir));
    } catch {
      // No watch (inotify limit, folder gone): checking every request, as before, stays correct.
      this.lose();
    }
  }

  private onChange(filename: string | Buffer | null): void {
    // A new name counts at once, before the read that confirms it: the set may only be too big.
    if (this.names && typeof filename === 'string' && filename.length > 0) this.names.add(filename);
    void this.refresh();
  }

  private async refresh(): Promise<void> {
    if (this.refreshing) {
      this.changedDuringRead = true;
      return;
    }
    this.refreshing = true;
    try {
      do {
        this.changedDuringRead = false;
        // The folder replaced (renamed away, a new one in its place) or deleted: the watch
        // follows the old inode, so it no longer tells what the path holds.
        const ino = await fs.promises.stat(this.dir).then((s) => s.ino, () => -1);
        if (this.closed) return;
        if (ino !== this.watchedIno) {
          this.arm();
          return;
        }
        const names = await fs.promises.readdir(this.dir).catch(() => null);
        if (this.closed || !this.watcher) return;
        if (!names) return this.lose();
        if (!this.changedDuringRead) this.names = new Set(names);
      } while (this.changedDuringRead);
    } finally {
      this.refreshing = false;
    }
  }

  private lose(): void {
    this.unwatch();
    this.names = null;
  }

  private unwatch(): void {
    this.watcher?.close();
    this.watcher = null;
    this.watchedIno = -1;
  }
}
