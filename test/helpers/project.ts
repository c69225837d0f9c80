// A throw-away project root: a copy of the example app, package.json {"type":"module"} (so
// the .ts sources load as ESM), node_modules linked to drover's (express, koa), and config
// files written from objects. Short path under os.tmpdir(): a Unix socket path must stay
// under 104 bytes.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupProject } from './cleanup.js';
import { alertLines, describeAlerts, type LogSource } from './log-invariant.js';
import { Transcript } from './transcript.js';

export const DROVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(DROVER_DIR, 'dist', 'cli.js');

export type ConfigFormat = 'json' | 'js' | 'mjs' | 'cjs';

export interface ServiceFiles {
  pidfile: string;
  lock: string;
  socket: string;
  log: string;
}

export class Project {
  readonly transcript = new Transcript();
  /** Processes this test caused; cleanup SIGKILLs whichever is still alive. */
  readonly pids = new Set<number>();
  readonly children = new Set<ChildProcess>();
  /** Where the project's processes log besides logs/ (a foreground master's terminal). */
  readonly logSources: LogSource[] = [];
  /** Warning/error log lines this test causes on purpose (see log-invariant.ts). */
  allowLog: RegExp[] = [];
  /** Set once the logs were checked, or when the test failed anyway (no second error on top). */
  logsChecked = false;

  constructor(readonly root: string) {}

  /** Fails when a log holds a warning or error line the test did not declare in allowLog. */
  assertQuietLogs(): void {
    this.logsChecked = true;
    const sources: LogSource[] = [...this.logSources];
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.file('logs'));
    } catch {
      // no log folder: nothing ran as a daemon
    }
    for (const name of names) sources.push({ name: `logs/${name}`, read: () => fs.readFileSync(this.file(`logs/${name}`), 'utf8') });
    const lines = alertLines(sources, this.allowLog);
    if (lines.length > 0) throw new Error(describeAlerts(lines));
  }

  /** Writes config/worker_<service>.<format>; a string is written as it is. */
  writeConfig(service: string, config: object | string, format: ConfigFormat = 'json'): string {
    const text =
      typeof config === 'string'
        ? config
        : format === 'json'
          ? `${JSON.stringify(config, null, 2)}\n`
          : format === 'cjs'
            ? `module.exports = ${JSON.stringify(config, null, 2)};\n`
            : `export default ${JSON.stringify(config, null, 2)};\n`;
    for (const ext of ['json', 'js', 'mjs', 'cjs']) fs.rmSync(this.file(`config/worker_${service}.${ext}`), { force: true });
    return this.writeFile(`config/worker_${service}.${format}`, text);
  }

  writeFile(relative: string, text: string): string {
    const file = this.file(relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  }

  file(relative: string): string {
    return path.join(this.root, relative);
  }

  /** A file's text, or '' when it does not exist (yet). */
  read(relative: string): string {
    try {
      return fs.readFileSync(this.file(relative), 'utf8');
    } catch {
      return '';
    }
  }

  exists(relative: string): boolean {
    return fs.existsSync(this.file(relative));
  }

  service(service: string): ServiceFiles {
    const pidfile = this.file(`pidfiles/${service}.pid`);
    return { pidfile, lock: `${pidfile}.lock`, socket: this.file(`pidfiles/${service}.sock`), log: this.file(`logs/${service}.log`) };
  }

  /** The pid in pidfiles/<service>.pid, or null. */
  pidOf(service: string): number | null {
    try {
      const pid = Number.parseInt(fs.readFileSync(this.service(service).pidfile, 'utf8').trim(), 10);
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  }

  track(...pids: Array<number | null | undefined>): void {
    for (const pid of pids) if (pid) this.pids.add(pid);
  }

  trackChild(child: ChildProcess): void {
    this.children.add(child);
    if (child.pid) this.pids.add(child.pid);
  }

  /** Everything the processes said, and the log files as they are now. */
  explain(): string {
    const logs = new Transcript();
    for (const dir of ['logs']) {
      let names: string[] = [];
      try {
        names = fs.readdirSync(this.file(dir));
      } catch {
        continue;
      }
      for (const name of names) logs.add(`${dir}/${name}`, () => fs.readFileSync(this.file(`${dir}/${name}`), 'utf8'));
    }
    let pidfiles = '';
    try {
      pidfiles = fs.readdirSync(this.file('pidfiles')).join(' ');
    } catch {
      pidfiles = '(no pidfiles/ folder)';
    }
    return `${this.transcript.render()}\n${logs.render()}\n──── pidfiles/: ${pidfiles}`;
  }
}

export interface CreateProjectOptions {
  /** Copy drover's example app/ into the project (default true). */
  app?: boolean;
}

/** Creates a project and registers its cleanup (kill what it caused, remove the folder). */
export async function createProject(t: { after(fn: () => unknown): void }, options: CreateProjectOptions = {}): Promise<Project> {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'dv-')));
  const project = new Project(root);
  // The log invariant runs before the processes are killed, for projects a scenario did not check.
  t.after(async () => {
    try {
      if (!project.logsChecked) project.assertQuietLogs();
    } finally {
      await cleanupProject(project);
    }
  });
  if (options.app !== false) fs.cpSync(path.join(DROVER_DIR, 'app'), path.join(root, 'app'), { recursive: true });
  fs.mkdirSync(path.join(root, 'config'));
  fs.writeFileSync(path.join(root, 'package.json'), `${JSON.stringify({ name: 'drover-test-project', private: true, type: 'module' })}\n`);
  fs.symlinkSync(path.join(DROVER_DIR, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  return project;
}
