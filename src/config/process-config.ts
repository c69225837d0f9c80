// config/worker_process.*: what the master watches for hot reload (the seed's
// config/worker_process/ monitor). Validated like a service config.
import { ConfigReader } from './reader.js';

export interface HotReloadConfig {
  /** Watch in foreground (debug) mode. */
  enabled: boolean;
  /** Watch under `start -d` too (off by default: production reloads are deliberate). */
  inDaemon: boolean;
  /** Folders or files to watch, relative to the project root. */
  paths: readonly string[];
  /** Only files with these extensions count. */
  extensions: readonly string[];
  /** Extra path segments or file names to ignore, on top of the built-in list. */
  ignore: readonly string[];
  /** Quiet time (ms) that ends a burst of changes: one reload per burst. */
  debounceMs: number;
}

export interface BuildConfig {
  /**
   * Where the project's build puts compiled JavaScript, mirroring the project's folders
   * (app/x.ts → <outDir>/app/x.js). A production start runs the code there when
   * <outDir>/app exists; debug mode always runs the sources.
   */
  outDir: string;
}

export interface ProcessConfig {
  hotReload: HotReloadConfig;
  build: BuildConfig;
}

export const DEFAULT_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json'];

export function validateProcessConfig(file: string, raw: unknown): ProcessConfig {
  const r = ConfigReader.root(file, raw);
  const h = r.object('hotReload');
  const hotReload: HotReloadConfig = Object.freeze({
    enabled: h ? h.boolean('enabled', true) : true,
    inDaemon: h ? h.boolean('inDaemon', false) : false,
    paths: Object.freeze(h?.stringList('paths') ?? ['app', 'config']),
    extensions: Object.freeze((h?.stringList('extensions') ?? DEFAULT_EXTENSIONS).map((e) => (e.startsWith('.') ? e : `.${e}`))),
    ignore: Object.freeze(h?.stringList('ignore') ?? []),
    debounceMs: h ? h.duration('debounceMs', 300, 0) : 300,
  });
  h?.rejectUnknownKeys();
  const b = r.object('build');
  const build: BuildConfig = Object.freeze({ outDir: b ? b.string('outDir', 'dist') : 'dist' });
  b?.rejectUnknownKeys();
  r.rejectUnknownKeys();
  return Object.freeze({ hotReload, build });
}
