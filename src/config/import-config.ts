// Loads one config file in whatever module format the project uses, the way Node would pick it,
// but without Node's warnings and with errors that say where and what to do:
//   .json → JSON.parse;  .cjs, or .js in a CommonJS scope → require();  .mjs, or .js under
//   "type": "module" → import().
// A .js file with `export` in a CommonJS project is not handed to Node's module-syntax detection
// (it prints MODULE_TYPELESS_PACKAGE_JSON on every start): it is refused with a hint instead.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { DroverError, droverError, ConfigError } from '../errors/index.js';

const requireFromHere = createRequire(import.meta.url);
const ESM_SYNTAX = /^\s*(export\s|import\s+[\w{*])/m;
const CJS_WRAPPER = '(function (exports, require, module, __filename, __dirname) {\n';

export async function importConfig(file: string, shown: string): Promise<unknown> {
  if (file.endsWith('.json')) return readJson(file, shown);
  const format = file.endsWith('.cjs') ? 'commonjs' : file.endsWith('.mjs') ? 'module' : packageScope(file);
  return format === 'commonjs' ? requireConfig(file, shown) : importEsmConfig(file, shown);
}

/** "module" or "commonjs": the "type" of the nearest package.json, as Node decides for a .js file. */
export function packageScope(file: string): 'module' | 'commonjs' {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { type?: unknown };
      return pkg.type === 'module' ? 'module' : 'commonjs';
    } catch {
      // no (readable) package.json here: look further up
    }
    if (path.dirname(dir) === dir) return 'commonjs';
  }
}

function readJson(file: string, shown: string): unknown {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /at position (\d+)/.exec(message);
    const offset = at ? Number(at[1]) : /end of JSON input/.test(message) ? text.trimEnd().length : null;
    const where = offset === null ? '' : `:${lineCol(text, offset)}`;
    throw configLoadError(`${shown}${where}`, `is not valid JSON: ${message.replace(/ \(line \d+ column \d+\)$/, '')}`);
  }
}

function requireConfig(file: string, shown: string): unknown {
  const source = fs.readFileSync(file, 'utf8');
  try {
    // Compiled first as the CommonJS wrapper would, so a syntax error is reported with its place
    // and an ES module never reaches Node's detection.
    new vm.Script(`${CJS_WRAPPER}${source}\n})`, { filename: file });
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    if (ESM_SYNTAX.test(source)) {
      const rename = path.basename(file).replace(/\.c?js$/, '.mjs');
      throw droverError('DROVER_ERR_CONFIG', { file: shown, esmInCommonJs: path.join(path.dirname(shown), rename) });
    }
    throw configLoadError(`${shown}:${syntaxLocation(error, 1)}`, `syntax error: ${error.message}`);
  }
  try {
    delete requireFromHere.cache[file]; // a reload reads the file as it is now
    const mod = requireFromHere(file) as { default?: unknown };
    return mod && typeof mod === 'object' && 'default' in mod && mod.default !== undefined ? mod.default : mod;
  } catch (error) {
    throw configLoadError(shown, `cannot be loaded: ${firstLine(error)}`);
  }
}

async function importEsmConfig(file: string, shown: string): Promise<unknown> {
  try {
    // A query string defeats the ESM cache, so a reload sees the file as it is now.
    const mod = (await import(`${pathToFileURL(file).href}?t=${Date.now()}`)) as { default?: unknown };
    return mod.default ?? mod;
  } catch (error) {
    // An ES module's SyntaxError carries no place; `node --check` finds it (on this path only).
    const where = error instanceof SyntaxError ? checkSyntax(file) : '';
    throw configLoadError(`${shown}${where ? `:${where}` : ''}`, error instanceof SyntaxError ? `syntax error: ${error.message}` : `cannot be loaded: ${firstLine(error)}`);
  }
}

function configLoadError(where: string, rule: string): DroverError {
  return new ConfigError(where, rule);
}

/** "line:col" of a V8 SyntaxError whose stack starts "file:line\nsource\n   ^^^". */
function syntaxLocation(error: Error, linesBefore = 0): string {
  const [head = '', , caret = ''] = (error.stack ?? '').split('\n');
  const line = Number(/:(\d+)$/.exec(head)?.[1] ?? 0) - linesBefore;
  const col = caret.indexOf('^') + 1;
  return col > 0 ? `${line}:${col}` : String(line);
}

function checkSyntax(file: string): string {
  const r = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 5000 });
  const lines = (r.stderr ?? '').split('\n');
  const at = lines.findIndex((l) => l.startsWith(`${file}:`));
  if (at < 0) return '';
  return syntaxLocation(Object.assign(new Error(), { stack: lines.slice(at).join('\n') }));
}

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before.at(-1)!.length + 1}`;
}

function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}
