// pidfiles/<service>.pid, held under a proper-lockfile lock for as long as the master lives.
//
// proper-lockfile keeps its lock fresh by touching <pid>.lock every `update` ms; a lock older
// than `stale` belongs to a dead process. A master that was SIGKILLed leaves both behind, so
// before waiting for staleness we look at who the pidfile names: a dead pid, or a live pid that
// is not a drover master answering on the control socket (pid reuse), frees the lock at once.
//
// Know what it installs: proper-lockfile loads signal-exit, which hooks SIGUSR2/SIGHUP/SIGTERM
// but stands aside while the process has listeners of its own (ours are installed first), and
// its default onCompromised throws from a timer. We pass our own.
import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { droverError, AlreadyRunningError } from '../errors/index.js';
import { makeDir } from '../core/writable.js';
import { isAlive, readPid } from './pid.js';

const STALE_MS = 10_000;
const UPDATE_MS = 2_000;

export interface PidfileOptions {
  service: string;
  pidfile: string;
  /** Does a drover master answer on the control socket with this pid? */
  isLiveMaster(pid: number): Promise<boolean>;
  log(message: string): void;
}

export class Pidfile {
  private release: (() => Promise<void>) | null = null;

  constructor(private readonly options: PidfileOptions) {}

  get lockPath(): string {
    return `${this.options.pidfile}.lock`;
  }

  async acquire(): Promise<void> {
    makeDir(path.dirname(this.options.pidfile), "the service's pidfile and control socket");
    const deadline = Date.now() + STALE_MS + UPDATE_MS;
    for (;;) {
      try {
        this.release = await lockfile.lock(this.options.pidfile, {
          realpath: false,
          stale: STALE_MS,
          update: UPDATE_MS,
          retries: 0,
          onCompromised: (error) => this.options.log(`pidfile lock compromised: ${error.message}`),
        });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
          throw droverError('DROVER_ERR_LOCK', { pidfile: this.options.pidfile, failure: (error as Error).message });
        }
        await this.clearIfStale(deadline);
      }
    }
    writeAtomically(this.options.pidfile, `${process.pid}\n`);
  }

  /** Removes the pidfile and the lock; safe to call twice. */
  async remove(): Promise<void> {
    if (readPid(this.options.pidfile) === process.pid) fs.rmSync(this.options.pidfile, { force: true });
    const release = this.release;
    this.release = null;
    await release?.().catch(() => undefined);
  }

  private async clearIfStale(deadline: number): Promise<void> {
    const lock = statOrNull(this.lockPath);
    if (lock === null) return; // released meanwhile: try again at once
    const pid = this.holderPid(lock);
    if (pid === null || (pid !== process.pid && isAlive(pid))) {
      if (pid !== null && (await this.options.isLiveMaster(pid))) throw new AlreadyRunningError(this.options.service, pid);
      // No pid for this lock yet: its holder took it a moment ago and is writing its pidfile.
      // Alive but silent: a master still booting (its lock is fresh and it will answer soon)
      // or an unrelated process that reused the pid. Either way wait: proper-lockfile takes
      // over a lock nobody refreshes once it is `stale`.
      if (Date.now() > deadline) {
        if (pid !== null) throw new AlreadyRunningError(this.options.service, pid);
        throw droverError('DROVER_ERR_LOCK', { pidfile: this.options.pidfile, lock: this.lockPath });
      }
      await new Promise((resolve) => setTimeout(resolve, pid === null ? 25 : 250));
      return;
    }
    // The holder is dead (SIGKILLed): free its lock now rather than after `stale` ms. Only the
    // lock we judged, never one another master took since (same inode and birth).
    const now = statOrNull(this.lockPath);
    if (now === null || now.ino !== lock.ino || now.birthtimeMs !== lock.birthtimeMs) return;
    this.options.log(`removing the stale lock of pid ${pid}`);
    fs.rmSync(this.lockPath, { recursive: true, force: true });
  }

  /**
   * The pid of the lock's holder, or null when its pidfile is not written yet. A master writes
   * its pidfile right after it took the lock, so a pidfile older than the lock names an earlier
   * master, not the holder (the window where a second master used to remove a live lock).
   */
  private holderPid(lock: fs.Stats): number | null {
    const pidfile = statOrNull(this.options.pidfile);
    if (pidfile === null) return null;
    // birthtime is 0 where the filesystem does not record it; then the mtime of the lock's
    // creation is gone too (refreshed every UPDATE_MS), and only a pid-less wait is safe.
    if (lock.birthtimeMs === 0 || pidfile.mtimeMs < lock.birthtimeMs) return null;
    return readPid(this.options.pidfile);
  }
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}

function writeAtomically(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o644 });
  fs.renameSync(tmp, file);
}
