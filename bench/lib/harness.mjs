// runBench(): the whole bench as a function, so that bench/run.mjs and the smoke test run the
// same code. It starts what it measures, runs the chosen scenarios in order, stops everything
// it started (by pid, in a finally), and writes the results file.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SCENARIOS } from '../scenarios/index.mjs';
import { BenchContext, MODES } from './context.mjs';
import { autocannonVersion } from './load.mjs';
import { ProcessRegistry } from './procs.mjs';
import { makeTempDir, removeTempDir } from './project.mjs';
import { benchDir, cliPath, repoDir } from './targets.mjs';

export { MODES, SCENARIOS };

/**
 * @param {object} options
 * @param {'quick'|'full'} [options.mode]
 * @param {string[]} [options.scenarios]  ids to run (default: all, in order)
 * @param {object} [options.settings]     overrides of MODES[mode]
 * @param {string} [options.outDir]       where the results file goes (default bench/results)
 * @param {boolean} [options.write]       write the results file (default true)
 * @param {ProcessRegistry} [options.registry]  pass one to be able to clean up from outside (Ctrl-C)
 * @param {(line: string) => void} [options.log]
 * @returns {Promise<{ results: object, file: string | null, leftRunning: number[], startedPids: number[] }>}
 */
export async function runBench(options = {}) {
  const mode = options.mode ?? 'quick';
  if (!MODES[mode]) throw new Error(`unknown mode "${mode}" (quick or full)`);
  const settings = { ...MODES[mode], ...options.settings };
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const selected = selectScenarios(options.scenarios);
  if (!fs.existsSync(cliPath)) throw new Error(`${path.relative(process.cwd(), cliPath)} is missing: run "npm run build" first.`);

  const registry = options.registry ?? new ProcessRegistry();
  const tempDir = makeTempDir();
  registry.tempDirs = [...(registry.tempDirs ?? []), tempDir];
  const ctx = new BenchContext({ mode, settings, registry, tempDir, log });
  const results = {
    schema: 1,
    date: new Date().toISOString(),
    commit: gitCommit(),
    mode,
    machine: machine(),
    node: process.version,
    loadGenerator: {
      keepAlive: 'bench/lib/http-load.mjs (node:net closed loop, in the harness process; connections opened one by one)',
      newConnectionAndReload: 'bench/lib/http-load.mjs (node:net closed loop, honours Connection: close)',
      reloadCountOf: `autocannon ${autocannonVersion()}`,
    },
    settings,
    scenarios: {},
    headline: [],
    errors: [],
  };
  const startedAt = performance.now();
  let leftRunning = [];
  try {
    for (const scenario of selected) {
      if (registry.stopping) break;
      log(`[${scenario.id}] ${scenario.title}`);
      const t0 = performance.now();
      try {
        results.scenarios[scenario.id] = await scenario.run(ctx);
      } catch (error) {
        log(`[${scenario.id}] failed: ${error.stack ?? error}`);
        results.scenarios[scenario.id] = { title: scenario.title, error: String(error.message ?? error) };
        results.errors.push(`${scenario.id}: ${error.message ?? error}`);
      }
      results.scenarios[scenario.id].seconds = Math.round((performance.now() - t0) / 100) / 10;
    }
  } finally {
    const stopErrors = await ctx.stopTargets();
    for (const e of stopErrors) results.errors.push(`stop ${e}`);
    leftRunning = await registry.cleanup();
    if (leftRunning.length > 0) results.errors.push(`still running after cleanup: ${leftRunning.join(', ')}`);
    for (const dir of registry.tempDirs.splice(0)) removeTempDir(dir);
  }
  results.seconds = Math.round((performance.now() - startedAt) / 100) / 10;
  // Other work on the machine shows here: the figures of a run at a high load average swing more.
  results.machine.loadAverageAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
  for (const s of Object.values(results.scenarios)) {
    for (const r of s.ratios ?? []) results.headline.push({ scenario: Object.keys(results.scenarios).find((k) => results.scenarios[k] === s), ...headlineOf(r) });
  }
  let file = null;
  if (options.write !== false) {
    const outDir = options.outDir ?? path.join(benchDir, 'results');
    fs.mkdirSync(outDir, { recursive: true });
    const day = results.date.slice(0, 10);
    file = path.join(outDir, `${day}-${results.commit.short}${mode === 'quick' ? '-quick' : ''}.json`);
    fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  }
  return { results, file, leftRunning, startedPids: [...registry.everStarted] };
}

function selectScenarios(ids) {
  if (!ids || ids.length === 0) return SCENARIOS;
  const unknown = ids.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  return SCENARIOS.filter((s) => ids.includes(s.id));
}

function headlineOf(r) {
  const value = r.ratio ?? r.value;
  return { id: r.id, name: r.name, of: r.of, reference: r.reference ?? null, unit: r.unit ?? 'ratio', median: value.median, min: value.min, max: value.max, target: r.target, met: r.met };
}

function gitCommit() {
  const git = (...args) => execFileSync('git', args, { cwd: repoDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return { short: git('rev-parse', '--short', 'HEAD'), full: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--', 'src', 'bench', 'package.json').length > 0 };
  } catch {
    return { short: 'nogit', full: null, dirty: null };
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    cores: os.availableParallelism(),
    cpuModel: cpus[0]?.model ?? null,
    totalMemoryMiB: Math.round(os.totalmem() / 2 ** 20),
    platform: `${os.platform()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
    // With autogroup on, each session (drover's daemon, each reference, the harness with its load
    // generators) is one scheduling group: under contention a group gets a fair share of the cores
    // whatever the number of processes in it, which decides how much two workers can beat one.
    schedAutogroup: readProcFlag('/proc/sys/kernel/sched_autogroup_enabled'),
  };
}

function readProcFlag(file) {
  try {
    return fs.readFileSync(file, 'utf8').trim() === '1';
  } catch {
    return null;
  }
}
