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
import { AlreadyRunningError, DroverError } from '../errors.js';
import { makeDir } from '../writable.js';
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
          throw new DroverError('DROVER_ERR_LOCK', `cannot lock ${this.options.pidfile}: ${(error as Error).message}`, {
            hint: 'check that the pidfiles/ folder is writable by this user.',
          });
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
    const pid = readPid(this.options.pidfile);
    if (pid !== null && pid !== process.pid && isAlive(pid)) {
      if (await this.options.isLiveMaster(pid)) throw new AlreadyRunningError(this.options.service, pid);
      // Alive but silent: a master still booting (its lock is fresh and it will answer soon)
      // or an unrelated process that reused the pid (the lock goes stale). Wait and look again.
      if (Date.now() > deadline) throw new AlreadyRunningError(this.options.service, pid);
      await new Promise((resolve) => setTimeout(resolve, 250));
      return;
    }
    this.options.log(`removing the stale lock of ${pid === null ? 'an unknown master' : `pid ${pid}`}`);
    fs.rmSync(this.lockPath, { recursive: true, force: true });
  }
}

function writeAtomically(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o644 });
  fs.renameSync(tmp, file);
}
