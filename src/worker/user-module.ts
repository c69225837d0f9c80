// Loads the user's modules (app, controllers, hooks, handlers). TypeScript sources run as they
// are, through tsx's loader, registered once and only when a .ts file is first asked for:
// a JavaScript-only app pays nothing for it (registering costs about 90 ms per worker).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DroverError } from '../errors.js';

const SOURCE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cjs'];
let typescriptReady: Promise<void> | null = null;

/**
 * Resolves `specifier` (relative to root; extension optional) to a file, or null. Under a
 * build folder, "app/server.ts" finds the compiled "app/server.js".
 */
export function findModuleFile(root: string, specifier: string): string | null {
  const base = path.resolve(root, specifier);
  if (path.extname(base) && isFile(base)) return base;
  const stem = SOURCE_EXTENSIONS.includes(path.extname(base)) ? base.slice(0, -path.extname(base).length) : base;
  for (const ext of SOURCE_EXTENSIONS) if (isFile(stem + ext)) return stem + ext;
  return null;
}

export async function importUserModule(file: string, root: string): Promise<Record<string, unknown>> {
  if (/\.[mc]?ts$/.test(file)) await enableTypeScript();
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const e = error as Error;
    throw new DroverError('DROVER_ERR_APP_LOAD', `cannot load ${path.relative(root, file)}: ${summary(e.message)}`, {
      details: e.stack,
    });
  }
}

/** Loads `specifier` (from the compiled code root first, then the project root) or fails with a message that names it. */
export async function requireUserModule(
  where: string | { root: string; codeRoot: string },
  specifier: string,
  what: string,
): Promise<Record<string, unknown>> {
  const root = typeof where === 'string' ? where : where.root;
  const codeRoot = typeof where === 'string' ? where : where.codeRoot;
  const file = findModuleFile(codeRoot, specifier) ?? findModuleFile(root, specifier);
  if (!file) {
    throw new DroverError('DROVER_ERR_APP_LOAD', `${what} "${specifier}" was not found (looked for ${specifier}{${SOURCE_EXTENSIONS.join(',')}} under ${root}).`, {
      hint: 'check the path in the service config; it is relative to the project root.',
    });
  }
  return importUserModule(file, root);
}

/** The first line of an error, or two when the first only announces the second (esbuild). */
function summary(message: string): string {
  const [first = '', second] = message.split('\n');
  return first.endsWith(':') && second ? `${first} ${second.trim()}` : first;
}

function enableTypeScript(): Promise<void> {
  typescriptReady ??= (async () => {
    const [esm, cjs] = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]);
    esm.register();
    cjs.register();
  })();
  return typescriptReady;
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
