// A master in the foreground (`drover <service> start`): it runs in the spawned process, and
// logs to its stdout. Waits on its output, never on the clock.
import { spawn, type ChildProcess } from 'node:child_process';
import { droverEnv } from './cli.js';
import { CLI, type Project } from './project.js';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ForegroundMaster {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  exit: Exit | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (s: string) => ((this.stdout += s), this.notify()));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => ((this.stderr += s), this.notify()));
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.exit = { code, signal };
        this.notify();
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  output(): string {
    return `${this.stdout}${this.stderr ? `\n[stderr]\n${this.stderr}` : ''}`;
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Resolves with the first match of `pattern` in stdout+stderr; fails if the process exits first. */
  waitForOutput(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = (this.stdout + this.stderr).match(pattern);
        if (m) return done(() => resolve(m));
        if (this.exit) done(() => reject(new Error(`the master exited (${this.exit!.code ?? this.exit!.signal}) before printing ${pattern}:\n${this.output()}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${this.output()}`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Resolves when the process has exited; fails after `timeoutMs`. */
  async waitForExit(timeoutMs = 20_000): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the master (pid ${this.pid}) did not exit within ${timeoutMs} ms:\n${this.output()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Starts `drover <service> start` and, unless told not to, waits for its "running:" line. */
export async function startForeground(project: Project, service: string, options: { waitForRunning?: boolean } = {}): Promise<ForegroundMaster> {
  const child = spawn(process.execPath, [CLI, service, 'start'], { cwd: project.root, env: droverEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  project.trackChild(child);
  const master = new ForegroundMaster(child);
  project.logSources.push({ name: `foreground ${service} master (pid ${child.pid})`, read: () => master.output() });
  project.transcript.add(`$ drover ${service} start  (foreground, pid ${child.pid})`, () => `${master.output()}${master.exit ? `\n→ exit ${master.exit.code ?? master.exit.signal}` : ''}`);
  if (options.waitForRunning !== false) await master.waitForOutput(/ running: /);
  return master;
}
