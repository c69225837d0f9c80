// The bench's harness on a tiny load, so that it cannot rot: the same code path as
// `npm run bench -- --quick`, one round of one second, every scenario (HTTP, WebSocket with a
// few dozen clients, hot reload). It asserts only that well-formed results came out and that
// nothing it started is left running; never a timing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
// @ts-expect-error: plain ESM without types (bench/ has no build step)
import { runBench } from '../../bench/lib/harness.mjs';
// @ts-expect-error: plain ESM without types
import { ProcessRegistry, isAlive } from '../../bench/lib/procs.mjs';

const TINY = {
  rounds: 1,
  durationS: 1,
  throughputRounds: 1,
  throughputDurationS: 1,
  warmupS: 0,
  connections: 4,
  newConnectionConcurrency: 2,
  // bare-rr-2, the A/A control, so that its ratios (and the CPU-per-request ones) are built too.
  keepAliveTargets: ['drover-rr', 'bare-rr', 'bare-rr-2', 'single'],
  newConnectionTargets: ['drover-rr', 'bare-rr', 'bare-rr-2'],
  reloadRounds: 1,
  reloadLoadS: 2,
  reloadAtS: 0.7,
  reloadAutocannon: false,
  statusRuns: 2,
  freshRuns: 1,
  residentRequestsPerRound: 3,
  settleMs: 100,
  wsClients: 30,
  wsRounds: 1,
  wsBroadcasts: 1,
  wsSettleMs: 100,
  wsRoundTripClients: 2,
  wsRoundTripS: 0.5,
  wsReloadRounds: 1,
  wsReloadIdleClients: 10,
  wsReloadLoadS: 4,
  wsReloadAtS: 0.5,
  hotReloadRounds: 1,
  hotReloadDebounceMs: 100,
  hotReloadLoadS: 5,
  hotReloadConnections: 1,
  hotReloadPauseMs: 10,
};

// Two groups, each test under its own deadline: the second holds the scenarios that came with
// issue 11 (logs under a chatty app, metrics scrape and scale), which a tiny load runs in ~30 s.
const SCENARIOS = ['http-throughput', 'memory', 'reload', 'status-time', 'resident-vs-fresh', 'websocket', 'hot-reload', 'static-files'];
const OPERATION_SCENARIOS = ['logs-chatty', 'metrics-scale'];

/** The rows that the A/A control and the CPU-per-request figures add (bench/README.md, scenario 1). */
const A_A_AND_CPU_ROWS = [
  'keepalive-worker-cpu-vs-bare',
  'keepalive-rps-aa',
  'keepalive-worker-cpu-aa',
  'newconn-worker-cpu-vs-bare',
  'newconn-master-cpu-vs-bare',
  'newconn-worker-cpu-per-master-vs-bare',
  'newconn-rps-aa',
  'newconn-worker-cpu-per-master-aa',
];

type Ratio = { id: string; ratio?: { median: number }; value?: { median: number }; reference_values?: { values: number[] }; of_values?: { values: number[] } };

/**
 * A ratio's median is a number, unless its reference was 0 in the one round: autocannon reports
 * whole milliseconds, so on a tiny idle load a keep-alive p99 can be 0 (x ÷ 0 is left NaN, and
 * written to the file as null).
 */
function wellFormed(r: Ratio): boolean {
  const median = (r.ratio ?? r.value)!.median;
  // A window with no sample (a `ws reload` over before any round trip fell inside it, seen on
  // Node 24 with the tiny load) has no percentile either: the figure is absent, not malformed.
  const empty = (v: number | null) => v === null || !Number.isFinite(v);
  return (
    Number.isFinite(median) ||
    (r.reference_values?.values.some((v) => v === 0 || empty(v)) ?? false) ||
    (r.of_values?.values.some(empty) ?? false)
  );
}
type Scenario = { error?: string; skipped?: string; ratios?: Ratio[]; rows?: unknown[] };

async function smoke(scenarios: string[], headlineRows: number): Promise<void> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'drover-bench-smoke-'));
  const registry = new ProcessRegistry();
  const log: string[] = [];
  try {
    const { results, file, leftRunning, startedPids } = await runBench({
      mode: 'quick',
      scenarios,
      settings: TINY,
      outDir,
      registry,
      log: (line: string) => log.push(line),
    });
    const context = `\nbench log:\n${log.join('\n')}`;

    assert.ok(file && file.startsWith(outDir), `results file in the folder passed in (${file})`);
    assert.match(path.basename(file), /^\d{4}-\d{2}-\d{2}-[0-9a-z]+-quick\.json$/);
    const written = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.deepEqual(written.headline, JSON.parse(JSON.stringify(results.headline)));

    assert.equal(results.mode, 'quick');
    assert.ok(results.machine.cores > 0);
    assert.match(results.node, /^v\d+/);
    assert.match(results.loadGenerator.keepAlive, /http-load\.mjs/);
    assert.match(results.loadGenerator.reloadCountOf, /^autocannon \d+/);
    assert.deepEqual(results.errors, [], `no scenario failed${context}`);

    for (const id of scenarios) {
      const s = results.scenarios[id] as Scenario;
      assert.ok(s && !s.error && !s.skipped, `${id} ran${context}`);
      assert.ok(s.ratios && s.ratios.length > 0, `${id} has ratios`);
      assert.ok(s.rows && s.rows.length > 0, `${id} has table rows`);
      for (const r of s.ratios) {
        assert.ok(wellFormed(r), `${id} / ${r.id}: a number (${(r.ratio ?? r.value)!.median})${context}`);
      }
    }
    if (scenarios.includes('http-throughput')) {
      const ids = new Set((results.scenarios['http-throughput'] as Scenario).ratios!.map((r) => (r as Ratio).id));
      for (const id of A_A_AND_CPU_ROWS) assert.ok(ids.has(id), `http-throughput has the row ${id}`);
    }
    assert.ok(results.headline.length >= headlineRows, `at least ${headlineRows} headline rows (${results.headline.length})`);
    const ratioOf = (h: { scenario: string; id: string }) => (results.scenarios[h.scenario] as Scenario).ratios!.find((r) => r.id === h.id)!;
    for (const h of results.headline) {
      assert.equal(typeof h.name, 'string');
      assert.ok(Number.isFinite(h.median) || wellFormed(ratioOf(h)), `headline ${h.id} is a number`);
    }

    assert.deepEqual(leftRunning, []);
    const alive = (startedPids as number[]).filter((pid) => isAlive(pid));
    assert.deepEqual(alive, [], 'every process the bench started is gone');
  } finally {
    await registry.cleanup();
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

test('the quick bench harness produces well-formed results on a tiny load and stops everything', { timeout: 180_000 }, async () => {
  await smoke(SCENARIOS, 20);
});

test('the operations scenarios (chatty logs, metrics scrape and scale) run on a tiny load and stop everything', { timeout: 90_000 }, async () => {
  await smoke(OPERATION_SCENARIOS, 2);
});
