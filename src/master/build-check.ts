// Production never runs stale code silently. The rule (README, "The application"):
//   - a JavaScript source (.js, .mjs, .cjs) always runs as it is, from the project: a compiled
//     file in the build folder never stands in for it;
//   - a TypeScript source (.ts, .mts, .cts) runs in production from its compiled counterpart,
//     <outDir>/<same path>.js (.mjs, .cjs); when that is older than the source the build is
//     stale, and when it is missing the source runs through tsx: both are said loudly at start
//     and reload, and shown by status;
//   - a project that ships no sources (no app/ folder, only <outDir>/app) runs its build as is.
// The master checks once per start and reload (never per request); workers apply the same rule
// through compiledCounterpart().
import fs from 'node:fs';
import path from 'node:path';
import type { ServiceConfig } from '../config/types.js';
import { compiledCounterpart } from '../core/paths.js';
import type { BuildReport } from '../protocol/status.js';

const TYPESCRIPT = /(?<!\.d)\.(ts|mts|cts)$/;
const SKIP = new Set(['node_modules', '.git']);
/** Enough to say what is wrong without flooding a terminal. */
const MAX_LISTED = 10;

export function checkBuild(root: string, outDir: string, config: ServiceConfig): BuildReport | null {
  const buildRoot = path.resolve(root, outDir);
  const sources = new Set(walk(path.join(root, 'app')));
  const entry = config.kind === 'http' ? config.app : config.kind === 'custom' ? config.handler : null;
  if (entry && TYPESCRIPT.test(entry)) sources.add(path.resolve(root, entry));
  if (sources.size === 0) return null;
  const stale: string[] = [];
  const missing: string[] = [];
  for (const source of [...sources].sort()) {
    const compiled = compiledCounterpart(root, buildRoot, source);
    const built = mtime(compiled);
    if (built === null) missing.push(path.relative(root, source));
    else if (built < (mtime(source) ?? 0)) stale.push(path.relative(root, source));
  }
  // No compiled file at all: there is no build, and the sources run as they are (through tsx).
  if (missing.length === sources.size) return null;
  if (stale.length === 0 && missing.length === 0) return null;
  return { dir: path.relative(root, buildRoot) || '.', stale, missing };
}

/** One loud paragraph for the log, the terminal, `reload` and `status`. */
export function describeBuild(report: BuildReport): string {
  const list = (files: string[]) => files.slice(0, MAX_LISTED).join(', ') + (files.length > MAX_LISTED ? ` and ${files.length - MAX_LISTED} more` : '');
  const parts: string[] = [];
  if (report.stale.length > 0) parts.push(`STALE BUILD: ${list(report.stale)} changed after ${report.dir}/ was built; production runs the older compiled code`);
  if (report.missing.length > 0) parts.push(`NOT BUILT: ${list(report.missing)} ha${report.missing.length === 1 ? 's' : 've'} no compiled file in ${report.dir}/; ${report.missing.length === 1 ? 'it runs' : 'they run'} from source through tsx`);
  return `${parts.join('. ')}. Run your build (e.g. "npm run build"), then reload.`;
}

function walk(dir: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    if (SKIP.has(e.name) || e.name.startsWith('.')) return [];
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return walk(full);
    return e.isFile() && TYPESCRIPT.test(e.name) ? [full] : [];
  });
}

function mtime(file: string): number | null {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
}
