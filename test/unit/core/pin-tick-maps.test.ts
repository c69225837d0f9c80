// pinTickObjectMaps() against the V8 behaviour it is for: full GCs between bursts of
// process.nextTick() calls (what V8's memory reducer does in an idle process) turn the inline
// caches of nextTick's object literal megamorphic for good, unless a TickObject is kept alive.
// Each case runs in a child node with --expose-gc and --allow-natives-syntax, and reads the
// literal's feedback slots from %DebugPrint(process.nextTick). The case without the pin checks
// that the test sees the problem at all: on a node where it is gone, the test is skipped and says so.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

// The child runs the module as plain JavaScript: under tsx's loader a child's exit cut
// %DebugPrint's output short (V8 prints it through a buffered C++ stream).
const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'drover-pin-'));
after(() => fs.rmSync(tempDir, { recursive: true, force: true }));
const source = fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src/core/pin-tick-maps.ts'), 'utf8');
const modulePath = path.join(tempDir, 'pin-tick-maps.mjs');
fs.writeFileSync(modulePath, ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText);
const moduleUrl = pathToFileURL(modulePath).href;

/** The states of nextTick's DefineKeyedOwnPropertyInLiteral slots after 8 bursts, each followed by a full GC. */
function literalSlotStates(pin: boolean): string[] {
  const script = `
    const { pinTickObjectMaps, pinnedTickObject } = await import(${JSON.stringify(moduleUrl)});
    if (${pin}) pinTickObjectMaps();
    const tick = () => new Promise((resolve) => process.nextTick(resolve));
    for (let round = 0; round < 8; round++) {
      for (let i = 0; i < 50; i++) await tick();
      await new Promise((resolve) => setImmediate(resolve));
      globalThis.gc();
    }
    if (${pin} && pinnedTickObject() === null) throw new Error('nothing pinned');
    new Function('f', '%DebugPrint(f)')(process.nextTick);
  `;
  const r = spawnSync(process.execPath, ['--expose-gc', '--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000, env: childEnv() });
  assert.equal(r.status, 0, `the child failed:\n${r.stderr}`);
  const states = [...r.stdout.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((m) => m[1]!);
  assert.ok(states.length >= 4, `no literal slots in %DebugPrint output (${r.stdout.length} chars):\n${r.stdout.slice(-1500)}`);
  return states;
}

/** Without node:test's marker, which makes a child node a test-runner child. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

test('with the pin, every slot of the literal stays monomorphic where without it they go megamorphic', (t) => {
  // The case without the pin shows that this test sees the problem at all.
  const unpinned = literalSlotStates(false);
  if (!unpinned.includes('MEGAMORPHIC')) {
    t.skip(`node ${process.version} keeps the literal's slots monomorphic without the pin (${unpinned.join(', ')}): pin-tick-maps.ts may no longer be needed`);
    return;
  }
  assert.deepEqual(new Set(literalSlotStates(true)), new Set(['MONOMORPHIC']));
});

test('the pinned object is a TickObject: its own keys are the literal in process.nextTick', async () => {
  const { pinTickObjectMaps, pinnedTickObject } = await import('../../../src/core/pin-tick-maps.ts');
  pinTickObjectMaps();
  await new Promise((resolve) => process.nextTick(resolve));
  const pinned = pinnedTickObject();
  assert.ok(pinned);
  assert.deepEqual(Object.keys(pinned), ['callback', 'args']);
  const symbols = Object.getOwnPropertySymbols(pinned).map((s) => s.description);
  assert.ok(symbols.includes('async_id_symbol') && symbols.includes('trigger_async_id_symbol'), `symbols: ${symbols.join(', ')}`);
});
