#!/usr/bin/env node
// npm run bench [-- options]: drover against references measured in the same run.
//
//   --quick             the smoke run (about 5 minutes); without it, the full run (about 30)
//   --only=a,b          run only these scenarios (ids: see bench/scenarios/index.mjs)
//   --rounds=N          interleaved rounds per comparison (default: 2 quick, 5 full)
//   --duration=S        seconds per load run (default: 3 quick, 10 full)
//   --out=DIR           where the results file goes (default: bench/results)
//   --no-write          print the table only
//   --help              print this and exit
//
// Progress goes to stderr, the table to stdout, the figures to
// bench/results/<YYYY-MM-DD>-<short commit>[-quick].json. Every process it starts is stopped
// by pid at the end, on failure, and on Ctrl-C / SIGTERM.
import { ProcessRegistry } from './lib/procs.mjs';
import { removeTempDir } from './lib/project.mjs';
import { renderTable } from './lib/report.mjs';
import { runBench } from './lib/harness.mjs';

// A misspelt option must not start a 20-minute run with defaults.
const OPTIONS = new Set(['quick', 'only', 'rounds', 'duration', 'out', 'no-write', 'help']);

const args = parseArgs(process.argv.slice(2));
if (args.help) {
  // The usage is the header comment above, so the two cannot drift apart.
  const lines = (await import('node:fs')).readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(1);
  const header = lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, ''));
  process.stdout.write(`${header.join('\n')}\n`);
  process.exit(0);
}
const registry = new ProcessRegistry();

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: stopping everything the bench started…\n`);
    const left = await registry.stopAll({ graceMs: 2000 });
    for (const dir of registry.tempDirs ?? []) removeTempDir(dir);
    if (left.length > 0) process.stderr.write(`still alive: ${left.join(', ')}\n`);
    process.exit(130);
  });
}

try {
  const settings = {};
  if (args.rounds) settings.rounds = settings.reloadRounds = settings.throughputRounds = Number(args.rounds);
  if (args.duration) settings.durationS = settings.throughputDurationS = Number(args.duration);
  const { results, file, leftRunning } = await runBench({
    mode: args.quick ? 'quick' : 'full',
    scenarios: args.only ? String(args.only).split(',') : undefined,
    settings,
    outDir: args.out,
    write: !args['no-write'],
    registry,
  });
  const m = results.machine;
  process.stdout.write(
    `drover bench (${results.mode}) · commit ${results.commit.short}${results.commit.dirty ? ' (uncommitted changes)' : ''} · node ${results.node} · ${m.cores} cores (${m.cpuModel}) · ${results.loadGenerator.keepAlive.split(' (')[0]} · ${results.seconds} s · load average ${m.loadAverageAtStart[0]} → ${m.loadAverageAtEnd[0]}\n\n`,
  );
  process.stdout.write(`${renderTable(results)}\n`);
  if (file) process.stdout.write(`\nfigures written to ${file}\n`);
  if (results.errors.length > 0) process.stdout.write(`\nerrors:\n${results.errors.map((e) => `  ${e}`).join('\n')}\n`);
  process.exitCode = results.errors.length > 0 || leftRunning.length > 0 ? 1 : 0;
} catch (error) {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  const left = await registry.cleanup();
  if (left.length > 0) process.stderr.write(`still alive: ${left.join(', ')}\n`);
  process.exitCode = 1;
}

function parseArgs(argv) {
  const out = {};
  for (const arg of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !OPTIONS.has(m[1])) {
      process.stderr.write(`unknown argument ${arg} (see: node bench/run.mjs --help)\n`);
      process.exit(2);
    }
    out[m[1]] = m[2] ?? true;
  }
  return out;
}
