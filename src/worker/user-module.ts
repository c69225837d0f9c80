// Loads the user's modules (app, controllers, hooks, handlers). TypeScript sources run as they
// are, through tsx's loader, registered once and only when a .ts file is first asked for:
// a JavaScript-only app pays nothing for it (registering costs about 90 ms per worker).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { droverError } from '../errors/index.js';
import { compiledCounterpart } from '../core/paths.js';

const SOURCE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cjs'];
let typescriptReady: Promise<void> | null = null;

/**
 * Resolves `specifier` (relative to root; extension optional) to a file, or null. Under a
 * build folder that ships no sources, "app/server.ts" finds the compiled "app/server.js".
 */
export function findModuleFile(root: string, specifier: string): string | null {
  const base = path.resolve(root, specifier);
  if (path.extname(base) && isFile(base)) return base;
  const stem = SOURCE_EXTENSIONS.includes(path.extname(base)) ? base.slice(0, -path.extname(base).length) : base;
  for (const ext of SOURCE_EXTENSIONS) if (isFile(stem + ext)) return stem + ext;
  return null;
}

/**
 * The file that runs for `source`: in production, a TypeScript source's compiled counterpart
 * when the build has one; otherwise the source itself. A compiled file never stands in for a
 * JavaScript source, nor for a source of another name (src/master/build-check.ts: the rule).
 */
export function codeFileFor(source: string, where: { root: string; buildRoot: string | null }): string {
  if (!where.buildRoot || !/\.[mc]?ts$/.test(source) || !isInside(where.root, source)) return source;
  const compiled = compiledCounterpart(where.root, where.buildRoot, source);
  return isFile(compiled) ? compiled : source;
}

export async function importUserModule(file: string, root: string): Promise<Record<string, unknown>> {
  if (/\.[mc]?ts$/.test(file)) await enableTypeScript(file, root);
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const e = error as Error;
    throw droverError('DROVER_ERR_APP_LOAD', { file: path.relative(root, file), failure: summary(e.message) }, { details: e.stack });
  }
}

/** Loads `specifier` (from the compiled code root first, then the project root) or fails with a message that names it. */
export async function requireUserModule(
  where: string | { root: string; codeRoot: string; buildRoot: string | null },
  specifier: string,
  what: string,
): Promise<Record<string, unknown>> {
  const place = typeof where === 'string' ? { root: where, codeRoot: where, buildRoot: null } : where;
  const { root } = place;
  const source = findModuleFile(place.codeRoot, specifier) ?? findModuleFile(root, specifier);
  const file = source && codeFileFor(source, place);
  if (!file) {
    throw droverError('DROVER_ERR_APP_LOAD', { what, specifier, looked: `${specifier}{${SOURCE_EXTENSIONS.join(',')}}`, root });
  }
  return importUserModule(file, root);
}

/** The first line of an error, or two when the first only announces the second (esbuild). */
function summary(message: string): string {
  const [first = '', second] = message.split('\n');
  return first.endsWith(':') && second ? `${first} ${second.trim()}` : first;
}

/**
 * Registers tsx ahead of the first import when the app has TypeScript sources (in app/, or
 * the named modules): a hot-reload standby does this before it has any code to load.
 */
export async function prepareTypeScript(root: string, modules: Array<string | null | undefined>): Promise<void> {
  const isSource = (f: string) => /\.[mc]?ts$/.test(f) && !/\.d\.[mc]?ts$/.test(f);
  let found = modules.find((m): m is string => typeof m === 'string' && isSource(m));
  if (!found) {
    try {
      const inApp = (fs.readdirSync(path.join(root, 'app'), { recursive: true }) as string[]).find(isSource);
      found = inApp && path.join('app', inApp);
    } catch {
      return; // no app/ folder
    }
  }
  if (found) await enableTypeScript(path.resolve(root, found), root);
}

/**
 * tsx is an optional peer dependency: a JavaScript app (and any compiled production build)
 * never loads it, and the package a production install pulls in stays without esbuild.
 */
function enableTypeScript(file: string, root: string): Promise<void> {
  typescriptReady ??= (async () => {
    let apis: [typeof import('tsx/esm/api'), typeof import('tsx/cjs/api')];
    try {
      apis = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
      throw droverError('DROVER_ERR_TYPESCRIPT', { file: path.relative(root, file) });
    }
    apis[0].register();
    apis[1].register();
  })();
  return typescriptReady;
}

function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
