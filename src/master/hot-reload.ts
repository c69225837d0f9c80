// Hot reload: each burst of file changes becomes one reload command, queued like a SIGUSR2,
// so bursts during a reload coalesce into one more reload after it. Files no reload can pick
// up (drover's own code, the monitor's own config) are reported as needing a restart.
import path from 'node:path';
import type { HotReloadConfig } from '../config/process-config.js';
import { distDir } from '../core/paths.js';
import type { CommandQueue } from './command-queue.js';
import { FileWatcher, type Burst } from './watcher.js';

const SHOWN_FILES = 5;

export async function startHotReload(root: string, config: HotReloadConfig, queue: CommandQueue, log: (m: string) => void): Promise<FileWatcher> {
  const droverRoot = path.dirname(distDir);
  const needsRestart = (file: string) => {
    const absolute = path.resolve(root, file);
    return (
      ['src', 'dist'].some((dir) => absolute.startsWith(path.join(droverRoot, dir) + path.sep)) ||
      /^config[/\\]worker_process\.[a-z]+$/.test(file)
    );
  };
  const watcher = await FileWatcher.start(root, config, {
    // The replacements boot while the debounce waits (arbiter.ts, prewarm). Only a reloadable
    // first file starts them, so the burst ends in a reload, which takes them or drops them.
    burstStart: (file) => {
      if (!needsRestart(file)) queue.push({ kind: 'prewarm' });
    },
    burst: ({ files }: Burst) => {
      const restart = files.filter(needsRestart);
      const reloadable = files.filter((f) => !needsRestart(f));
      if (restart.length > 0) log(`changed: ${list(restart)} — no reload can pick this up: restart the service`);
      if (reloadable.length === 0) return;
      log(`changed: ${list(reloadable)} — reloading`);
      queue.push({ kind: 'reload', reason: `file change: ${list(reloadable)}`, waiters: [] });
    },
    error: (error) => log(`file watcher error: ${error.message}`),
  });
  log(`hot reload: watching ${config.paths.join(', ')} (${config.extensions.join(' ')})`);
  return watcher;
}

function list(files: string[]): string {
  const shown = files.slice(0, SHOWN_FILES).join(', ');
  return files.length > SHOWN_FILES ? `${shown} (+${files.length - SHOWN_FILES} more)` : shown;
}
