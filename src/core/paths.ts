// Where a project keeps its files. Everything hangs off the project root (the current
// directory, or --root / DROVER_ROOT), so two checkouts never share a pidfile.
import path from 'node:path';
import url from 'node:url';

export interface ServicePaths {
  root: string;
  configDir: string;
  pidfile: string;
  socket: string;
  logFile: string;
}

export function projectRoot(explicit?: string): string {
  return path.resolve(explicit ?? process.env.DROVER_ROOT ?? process.cwd());
}

export function configDir(root: string): string {
  return path.join(root, 'config');
}

export function servicePaths(root: string, service: string, logFile?: string | null): ServicePaths {
  const pidfile = path.join(root, 'pidfiles', `${service}.pid`);
  return {
    root,
    configDir: configDir(root),
    pidfile,
    socket: controlSocketPath(root, service),
    logFile: logFile ? path.resolve(root, logFile) : path.join(root, 'logs', `${service}.log`),
  };
}

/** A Unix socket beside the pidfile; on Windows a named pipe named after the same path. */
export function controlSocketPath(root: string, service: string): string {
  const sock = path.join(root, 'pidfiles', `${service}.sock`);
  if (process.platform === 'win32') return `\\\\.\\pipe\\drover-${sock.replace(/[^A-Za-z0-9]+/g, '-')}`;
  return sock;
}

/**
 * Set at build time for a bundle that carries this module inside it (dist/cli.js: ".", the
 * master's entry dist/master/main.js: ".."; see scripts/bundle.mjs): the way from that file up
 * to dist/. Unset when this module is dist/core/paths.js itself.
 */
declare const DROVER_BUNDLE_TO_DIST: string | undefined;

/** drover's own dist/ folder: the worker and master entry points live there. */
export const distDir = path.resolve(path.dirname(url.fileURLToPath(import.meta.url)), typeof DROVER_BUNDLE_TO_DIST === 'string' ? DROVER_BUNDLE_TO_DIST : '..');

/**
 * Where the project's build puts the compiled form of a TypeScript source: the same path under
 * the build folder, with the extension tsc gives it (app/x.ts → dist/app/x.js, .mts → .mjs).
 */
export function compiledCounterpart(root: string, buildRoot: string, source: string): string {
  const relative = path.relative(root, source);
  return path.join(buildRoot, relative.replace(/\.ts$/, '.js').replace(/\.mts$/, '.mjs').replace(/\.cts$/, '.cjs'));
}
