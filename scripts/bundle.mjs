#!/usr/bin/env node
// The last step of `npm run build`, after tsc has compiled every file of src/ into dist/: two
// entry points are replaced by one-file bundles of themselves and what they import, so the
// processes that start from them load one module instead of dozens. tsc's file-by-file output
// stays beside them and works without this step (a build without it is only slower).
//
// Why, measured on Node 20 (notes of issue 14):
// - dist/master/main.js, the daemon master. Loading its 34 ESM files and proper-lockfile's 14
//   CommonJS files made node's path helpers hot enough for V8 to start its optimizing compiler,
//   which pages in ~3.7 MiB more of node's code; the bare node:cluster primary pays that only
//   at its first load. Idle RSS 52.9 → 47.7 MiB (bare primary 44.9).
// - dist/cli.js, where `status` and `connections` run (cli.ts's fast path): 15 modules → 1,
//   `http status` 167 → 153 million instructions (valgrind; `node -e 0`: 87), most of what the
//   ESM loader costs per module. And a CommonJS file, not an ES module: an ES module entry makes
//   node load its ESM loader with fs/promises, streams and readline, whatever the module does.
//   `http status` 136.1 → 123.9M instructions (`node -e 0`: 78.0M, an empty .mjs 92.0M; both
//   without NODE_EXTRA_CA_CERTS). The package is "type": "module", so this step writes
//   dist/package.json ("commonjs": dist/cli.js is its only file) and one package.json
//   ("module") in each folder of dist/, where tsc's ES modules are.
//
// The user's code is never bundled (workers load dist/worker/main.js file by file, and it loads
// the app), and the CLI's other commands stay file by file (dist/cli/main.js), outside the
// bundle: cli.ts hands them argv and gets an exit code back, never an object, so no class is
// ever compared with its twin from the other copy. Bundles are not minified (stack traces stay
// readable) and come with source maps (`node --enable-source-maps` maps them to src/).
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const BUNDLES = [
  {
    entry: 'src/cli.ts',
    out: 'dist/cli.js',
    format: 'cjs',
    // The full parser and every other command, loaded file by file when the fast path is not taken.
    external: ['./cli/main.js'],
    packages: [],
    builtinsWithoutFacade: true,
    // paths.ts finds dist/ from its own file, which is now dist/cli.js.
    define: { DROVER_BUNDLE_TO_DIST: '"."' },
  },
  {
    entry: 'src/master/main.ts',
    out: 'dist/master/main.js',
    external: [],
    // proper-lockfile and the CommonJS files it requires (graceful-fs, retry, signal-exit): their
    // module resolution at start-up alone was enough to wake the optimizing compiler.
    packages: ['proper-lockfile'],
    // What the master imports only when asked for (metrics, the hot-reload watcher) goes to
    // files of its own beside main.js, with what they share with it: inlined, they cost 0.6 MiB
    // of idle RSS (48.3 → 47.7) in a master that never loads them.
    split: true,
    // paths.ts finds dist/ from its own file, which is now in dist/master/.
    define: { DROVER_BUNDLE_TO_DIST: '".."' },
  },
];

/** The master's split-off parts: `bundle-<hash>.js` beside its main.js, replaced at every build. */
const CHUNK_PREFIX = 'bundle-';

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const packageOf = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

for (const bundle of BUNDLES) await build(bundle);
markModuleFormats('dist', 'dist/cli.js');

async function build({ entry, out, format = 'esm', external, packages, split = false, define = {}, builtinsWithoutFacade = false }) {
  const dir = path.dirname(out);
  if (split) for (const f of fs.readdirSync(dir)) if (f.startsWith(CHUNK_PREFIX) && /\.js(\.map)?$/.test(f)) fs.rmSync(path.join(dir, f));
  const result = await esbuild.build({
    entryPoints: { [path.basename(out, '.js')]: entry },
    outdir: dir,
    splitting: split,
    chunkNames: `${CHUNK_PREFIX}[hash]`,
    bundle: true,
    platform: 'node',
    format,
    target: 'node20',
    sourcemap: 'linked',
    // A CommonJS bundle's import.meta.url is its file's URL, as it was in the module.
    define: format === 'cjs' ? { ...define, 'import.meta.url': '__bundleFileUrl' } : define,
    external,
    plugins: [...(builtinsWithoutFacade ? [builtinsFromProcess()] : []), onlyThesePackages(packages)],
    // CommonJS code inside an ESM bundle calls require() for node's modules.
    banner: format === 'cjs'
      ? { js: "'use strict';\nconst __bundleFileUrl = require('node:url').pathToFileURL(__filename).href;" }
      : packages.length > 0 ? { js: "import { createRequire as __bundleCreateRequire } from 'node:module';\nconst require = __bundleCreateRequire(import.meta.url);" } : {},
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  for (const file of result.outputFiles) {
    const text = file.path.endsWith('.js') ? asciiComments(file.text, out) : file.text;
    fs.writeFileSync(file.path, text);
  }
  checkStaticImports(result.metafile, out);
}

/**
 * A bare specifier is left to node_modules unless it is one of `names` or is imported from
 * inside a package that is bundled.
 */
function onlyThesePackages(names) {
  return {
    name: 'only-these-packages',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (builtins.has(args.path)) return { path: args.path, external: true };
        const fromPackage = args.importer.split(path.sep).includes('node_modules');
        if (fromPackage || names.includes(packageOf(args.path))) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}

/**
 * node's modules through process.getBuiltinModule() instead of `import`: an ESM import of a
 * builtin builds an ES module facade of it, which reads every export, getters included (fs's
 * lazy ReadStream and promises load their modules), and goes through the ESM loader's resolve
 * and link steps. For `status` (valgrind, V8's random hash-seed search subtracted): net, fs,
 * path, url and os imported 521.3M instructions, taken from process 518.0M (`node -e 0`: 494M).
 * Default imports only (`import fs from 'node:fs'`): a named one fails the build here.
 */
function builtinsFromProcess() {
  return {
    name: 'builtins-from-process',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => (builtins.has(args.path) ? { path: args.path, namespace: 'builtin' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: `export default process.getBuiltinModule(${JSON.stringify(args.path)});`, loader: 'js' }));
    },
  };
}

/**
 * esbuild escapes every character outside ASCII in code but keeps the few comments it
 * preserves (some in class bodies) as they are, and one such character makes V8 keep the whole
 * source two bytes per character: +0.26 MiB for the master. Whole-line comments are made ASCII
 * here (a `?` for each such character, so columns and the source map stay right); anything
 * left (a regular expression literal) is reported.
 */
function asciiComments(text, out) {
  const lines = text.split('\n');
  const left = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/[^\x00-\x7f]/.test(lines[i])) continue;
    if (/^\s*(\/\/|\/\*|\*)/.test(lines[i])) lines[i] = lines[i].replace(/[^\x00-\x7f]/g, '?');
    else left.push(i + 1);
  }
  if (left.length > 0) console.warn(`${out}: characters outside ASCII at lines ${left.join(', ')}: V8 will keep this source two bytes per character`);
  return lines.join('\n');
}

/**
 * dist/package.json says "commonjs" for `commonJsFile`, the one file at the top of dist/; each
 * folder of dist/ gets a package.json that says "module" for tsc's ES modules in it. A file
 * left at the top by an older build (where src/ had more than cli.ts at its top) would be read
 * as CommonJS and fail: those are removed, and a source at the top of src/ other than cli.ts
 * fails the build.
 */
function markModuleFormats(dist, commonJsFile) {
  const keep = path.basename(commonJsFile);
  for (const entry of fs.readdirSync(dist, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      fs.writeFileSync(path.join(dist, entry.name, 'package.json'), '{ "type": "module" }\n');
    } else if (/\.(js|js\.map|d\.ts)$/.test(entry.name) && !entry.name.startsWith(`${path.basename(keep, '.js')}.`)) {
      if (fs.existsSync(path.join('src', entry.name.replace(/\.(js|js\.map|d\.ts)$/, '.ts')))) {
        throw new Error(`src/${entry.name.replace(/\.(js|js\.map|d\.ts)$/, '.ts')}: only cli.ts may sit at the top of src/ (dist/ is CommonJS there); move it into a folder`);
      }
      fs.rmSync(path.join(dist, entry.name));
    }
  }
  fs.writeFileSync(path.join(dist, 'package.json'), '{ "type": "commonjs" }\n');
}

/** A static import of a package would be loaded by every process that starts from the bundle. */
function checkStaticImports(metafile, out) {
  const outputs = Object.entries(metafile.outputs).filter(([file]) => file.endsWith('.js'));
  const loaded = outputs.flatMap(([, o]) => o.imports).filter((i) => i.external && i.kind === 'import-statement' && !builtins.has(i.path));
  if (loaded.length > 0) {
    throw new Error(`${out} imports ${loaded.map((i) => i.path).join(', ')} at load: import it lazily (await import()) where it is used, or bundle it`);
  }
}
