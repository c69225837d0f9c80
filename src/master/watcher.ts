// Hot reload's eyes: chokidar on what config/worker_process.* names, one callback per burst of
// changes. An editor's atomic save (write temp, rename) or a `git checkout` of 50 files is one
// burst: the callback runs once `debounceMs` after the last event. Loaded only when watching,
// so a production master never pays for chokidar.
import path from 'node:path';
import type { FSWatcher } from 'chokidar';
import type { HotReloadConfig } from '../config/process-config.js';

/** Never watched, wherever they are: dependencies (and their dist/), runtime files. Dot-files too. */
const IGNORED_SEGMENTS = new Set(['node_modules', 'pidfiles', 'logs']);
/** Editor temp and backup files: vim's 4913 probe and swap files, emacs locks, `~` backups. */
const EDITOR_TEMP = [/~$/, /\.sw[a-p]$/, /^4913$/, /^\.#/, /^#.*#$/, /\.tmp$/, /\.bak$/, /\.orig$/, /\.crdownload$/];

export interface Burst {
  /** Changed files, relative to the project root, in the order first seen. */
  files: string[];
}

/**
 * A debounce timer that fires later than this found the master busy (forking a burst's standbys
 * took 180-350 ms per fork on a loaded machine): the burst's later events may still be unread,
 * so it waits once more instead of splitting the burst (seen: a third reload for two bursts).
 */
const LATE_MS = 50;

export class FileWatcher {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private armedAt = 0;
  private waitedAgain = false;

  private constructor(
    private readonly watcher: FSWatcher,
    private readonly root: string,
    private readonly config: HotReloadConfig,
    private readonly onBurst: (burst: Burst) => void,
    private readonly onBurstStart: (file: string) => void,
  ) {
    watcher.on('all', (event, file) => this.watcherOnEvent(event, file));
  }

  /** onBurstStart: the first file of a burst, as soon as it is seen (the burst itself comes debounceMs after its last file). */
  static async start(
    root: string,
    config: HotReloadConfig,
    on: { burst: (burst: Burst) => void; burstStart: (file: string) => void; error: (e: Error) => void },
  ): Promise<FileWatcher> {
    const { watch } = await import('chokidar');
    const targets = config.paths.map((p) => path.resolve(root, p));
    const watcher = watch(targets, {
      ignoreInitial: true,
      ignored: (file, stats) => isIgnored(root, file, config, stats?.isFile() ?? null),
    });
    watcher.on('error', (e) => on.error(e as Error));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    return new FileWatcher(watcher, root, config, on.burst, on.burstStart);
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.watcher.close();
  }

  private watcherOnEvent(event: string, file: string): void {
    if (event === 'addDir' || event === 'unlinkDir') return;
    const relative = path.relative(this.root, file);
    if (this.pending.length === 0) this.onBurstStart(relative);
    if (!this.pending.includes(relative)) this.pending.push(relative);
    this.arm();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.armedAt = performance.now();
    this.timer = setTimeout(() => this.timerOnFire(), this.config.debounceMs);
  }

  private timerOnFire(): void {
    const late = performance.now() - this.armedAt - this.config.debounceMs;
    if (late > LATE_MS && !this.waitedAgain) {
      this.waitedAgain = true;
      return this.arm();
    }
    this.flush();
  }

  private flush(): void {
    this.timer = null;
    this.waitedAgain = false;
    const files = this.pending;
    this.pending = [];
    if (files.length > 0) this.onBurst({ files });
  }
}

export function isIgnored(root: string, file: string, config: HotReloadConfig, isFile: boolean | null): boolean {
  const relative = path.relative(root, file);
  if (relative === '') return false;
  const segments = relative.split(path.sep);
  const name = segments[segments.length - 1]!;
  for (const segment of segments) {
    if (segment === '..') continue;
    if (IGNORED_SEGMENTS.has(segment) || segment.startsWith('.') || config.ignore.includes(segment)) return true;
  }
  if (config.ignore.some((pattern) => relative === pattern || relative.startsWith(`${pattern}${path.sep}`))) return true;
  if (EDITOR_TEMP.some((re) => re.test(name))) return true;
  // Directories must pass so chokidar descends into them; files must have a watched extension.
  if (isFile === false) return false;
  const ext = path.extname(name);
  return isFile === true || ext !== '' ? !config.extensions.includes(ext) : false;
}
