// One catalogue (src/errors/catalogue.ts), one docs table (docs/errors.md), and the throw sites
// in src/ must agree: every declared code is documented and raised somewhere, the docs list
// no code that is not declared, and no error is recognised by its message.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { AlreadyRunningError, describeError, droverError, ERROR_CODES, reviveError, UsageError } from '../../../src/errors/index.ts';

const SRC = new URL('../../../src/', import.meta.url);
const CATALOGUE_FILE = 'errors/catalogue.ts';
const ERRORS_FILE = 'errors/index.ts';

/** Every .ts file under src/, by its path relative to src/. */
function sources(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: URL, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`);
      else if (entry.name.endsWith('.ts')) files.set(`${prefix}${entry.name}`, fs.readFileSync(new URL(entry.name, dir), 'utf8'));
    }
  };
  walk(SRC, '');
  return files;
}

/** Where each code is raised: `droverError('CODE', …)` / `describeError('CODE', …)`, or `new <Class>(` of a named error. */
function raisedCodes(files: Map<string, string>): Set<string> {
  const errorsTs = files.get(ERRORS_FILE)!;
  // Named errors are one-liners in src/errors/index.ts: `export class X extends DroverError { … super('CODE', … }`.
  const classes = new Map([...errorsTs.matchAll(/^export class (\w+) extends DroverError \{.*?super\('(DROVER_ERR_[A-Z_]+)'/gm)].map((m) => [m[1]!, m[2]!]));
  const raised = new Set<string>();
  for (const [file, text] of files) {
    if (file === CATALOGUE_FILE) continue;
    // In src/errors.ts the class declarations name their codes; a class counts only where it is built.
    const body = file === ERRORS_FILE ? text.replace(/^export class .*$/gm, '') : text;
    // Raised means built: a code only compared against (`e.code === '…'`) is not raised.
    for (const m of body.matchAll(/\b(?:droverError|describeError)\(\s*'(DROVER_ERR_[A-Z_]+)'/g)) raised.add(m[1]!);
    for (const [name, code] of classes) if (file !== ERRORS_FILE && new RegExp(`\\bnew ${name}\\(`).test(text)) raised.add(code);
  }
  return raised;
}

test('docs/errors.md documents exactly the codes of the catalogue', () => {
  const doc = fs.readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^\| `(DROVER_ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]!);
  assert.equal(new Set(documented).size, documented.length, 'a code has two rows in docs/errors.md');
  for (const code of documented) assert.ok((ERROR_CODES as string[]).includes(code), `docs/errors.md lists ${code}, which the catalogue does not declare`);
  for (const code of ERROR_CODES) assert.ok(documented.includes(code), `${code} is declared but not documented in docs/errors.md`);
});

test('every declared code is raised somewhere in src/', () => {
  const raised = raisedCodes(sources());
  for (const code of ERROR_CODES) assert.ok(raised.has(code), `${code} is declared but raised nowhere in src/ (remove it and its docs row)`);
});

test('every code used in src/ is declared', () => {
  for (const [file, text] of sources()) {
    for (const m of text.matchAll(/'(DROVER_ERR_[A-Z_]+)'/g)) assert.ok((ERROR_CODES as string[]).includes(m[1]!), `${file}: ${m[1]} is used but not declared`);
  }
});

test('only the catalogue words errors: no DroverError is built from text outside src/errors/index.ts', () => {
  for (const [file, text] of sources()) {
    if (file === ERRORS_FILE || file === CATALOGUE_FILE) continue;
    // The one exception keeps a worker's own code with the start-up wording of the catalogue.
    for (const m of text.matchAll(/new DroverError\(([^\n]*)/g)) {
      assert.match(m[1]!, /^code, \{ message: words\.message/, `${file}: new DroverError(${m[1]!.slice(0, 60)}…) words its own text; add a case to the catalogue`);
    }
  }
});

test('no error is recognised by its message in src/', () => {
  // Reading a message's words to decide what happened: a method on it, a regex over it, or an equality with a literal.
  const sniffing = /\.message\s*\??\.(startsWith|includes|endsWith|match|search)\(|\.test\(\s*[\w.]+\.message\b|(?<!typeof\s+[\w.]*)\.message\s*[!=]==?\s*['"`]/;
  for (const [file, text] of sources()) {
    const line = text.split('\n').findIndex((l) => sniffing.test(l));
    assert.equal(line, -1, `${file}:${line + 1} recognises an error by its message; compare its code`);
  }
});

test('every code has a message, and a hint where the user can act', () => {
  assert.equal(droverError('DROVER_ERR_NOT_RUNNING', { service: 'web', socket: 's.sock' }).message, 'web is not running (no master answers on s.sock).');
  assert.equal(new AlreadyRunningError('web', 42).hint, 'stop it first with "drover web stop", or use "drover web restart".');
  assert.equal(describeError('DROVER_ERR_START_FAILED', { service: 'web', masterExitCode: 1, log: 'logs/web.log' }).hint, 'see the log: logs/web.log');
  const usage = new UsageError({ kind: 'option-not-taken', command: 'status', option: 'force' });
  assert.deepEqual([usage.code, usage.message, usage.hint], ['DROVER_ERR_USAGE', '"status" does not take --force.', 'run "drover --help" for what each command takes.']);
  assert.equal(new UsageError({ kind: 'parser', said: 'Unknown argument: x' }).hint, 'run "drover --help" for the commands and options.');
});

test('an error crossing a process keeps its code and words; a code this drover does not know is DROVER_ERR_CONTROL', () => {
  const known = reviveError({ code: 'DROVER_ERR_APP_LOAD', message: 'cannot load app.js: boom', hint: 'h', details: 'stack' }, { details: 'log: x' });
  assert.deepEqual(known.toJSON(), { code: 'DROVER_ERR_APP_LOAD', message: 'cannot load app.js: boom', hint: 'h', details: 'stack\n\nlog: x' });
  const unknown = reviveError({ code: 'DROVER_ERR_FROM_THE_FUTURE', message: 'new thing' });
  assert.equal(unknown.code, 'DROVER_ERR_CONTROL');
  assert.match(unknown.message, /DROVER_ERR_FROM_THE_FUTURE.*new thing/);
});
