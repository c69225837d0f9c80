#!/usr/bin/env node
// Prints the README's Performance table from a results file:
//
//   node bench/readme-table.mjs bench/results/<date>-<commit>.json
//
// One row per ratio that has a target (DESIGN.md §8), and the few context ratios listed in
// ALSO_SHOWN, in the order the scenarios ran; above the table, the run: date, commit, mode,
// machine, node, load average. Every row names what its ratio divides by what, so a row that
// another scenario adds (a new surface with its own target) shows up here without an edit.
import fs from 'node:fs';
import path from 'node:path';

/**
 * Ratios without a target that the README shows anyway: context, and the rows of each new
 * surface (DESIGN §8: "a row each, a ratio each"; add a scenario's ids here when it lands).
 */
const ALSO_SHOWN = new Set([
  'fresh-vs-resident',
  'ws-idle-memory-vs-single',
  'ws-idle-memory-vs-pair',
  'newconn-bare-none-vs-rr',
  'newconn-rps-vs-best-bare',
  'newconn-none-rps-vs-best-bare',
  'ws-roundtrip-p50-vs-echo',
  'static-rps-vs-app',
  'app-with-public-vs-without',
  'status-vs-node-no-extra-ca',
  'ws-broadcast-cpu-vs-single',
  'logs-chatty-rps-console-direct',
  'logs-chatty-cpu-console-direct',
  'hot-reload-vs-reload-command',
  // The A/A control (two identical bare clusters) and CPU per request: what the throughput
  // ratios above them can and cannot tell on this machine.
  'keepalive-rps-aa',
  'keepalive-worker-cpu-vs-bare',
  'keepalive-worker-cpu-aa',
  'newconn-rps-aa',
  'newconn-worker-cpu-per-master-vs-bare',
  'newconn-worker-cpu-per-master-aa',
]);

/** Units of a ratio's two sides, from its id or name (the results file keeps bare numbers). */
function unitOf(r) {
  const text = `${r.id} ${r.name}`;
  if (/over the master/i.test(text)) return '';
  if (/CPU per request/i.test(text)) return 'µs';
  if (/rss|memory|kib/i.test(text)) return /kib|per connection/i.test(text) ? 'KiB' : 'MiB';
  if (/req\/s|rps/i.test(text)) return 'req/s';
  if (/p50|p99|wall time|status|ms\b|broadcast|reload|fresh|save/i.test(text)) return 'ms';
  if (/per second|rate/i.test(text)) return '/s';
  return '';
}

function fmt(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  const digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function range(s) {
  if (!s || !Number.isFinite(s.median)) return '–';
  return s.n > 1 && s.min !== s.max ? `${fmt(s.median)} [${fmt(s.min)}–${fmt(s.max)}]` : fmt(s.median);
}

function targetText(t, met) {
  if (!t) return '';
  const text = `${t.op === '>=' ? '≥' : '≤'} ${t.value}${t.unit ? ` ${t.unit}` : ''}`;
  return met === false ? `${text} (missed)` : met === true ? `${text} ok` : text;
}

export function readmeTable(results, file) {
  const m = results.machine;
  const lines = [];
  const when = results.date.slice(0, 16).replace('T', ' ');
  lines.push(
    `\`npm run bench\` (${results.mode} mode) on ${when} UTC, commit ${results.commit.short}${results.commit.dirty ? ' (with uncommitted changes)' : ''}, ` +
      `${m.cores} cores (${m.cpuModel}), Node ${results.node.replace(/^v/, '')}, ${Math.round(results.seconds)} s, ` +
      `load average ${m.loadAverageAtStart[0]} → ${m.loadAverageAtEnd?.[0] ?? '?'}` +
      `${m.schedAutogroup === true ? ', the kernel\'s sched_autogroup on (drover\'s daemon and each reference in a session of its own)' : ''}. File: \`${file}\`.`,
    '',
    'Every ratio is drover\'s figure ÷ the reference named in its row, measured in the same run, round by round; the table shows the median of the per-round ratios [smallest–largest].',
    '',
    '| figure | drover | reference, same run | ratio, median [min–max] | target |',
    '|---|---|---|---|---|',
  );
  for (const [id, scenario] of Object.entries(results.scenarios)) {
    if (scenario.error) {
      lines.push(`| ${id} | failed: ${scenario.error.split('\n')[0]} | | | |`);
      continue;
    }
    for (const r of scenario.ratios ?? []) {
      if (!r.target && !ALSO_SHOWN.has(r.id)) continue;
      const unit = unitOf(r);
      const u = unit ? ` ${unit}` : '';
      if (r.value) {
        // An absolute figure (failed requests, dropped clients, MiB): no reference.
        lines.push(`| ${r.name} | ${range(r.value)}${r.unit ? ` ${r.unit}` : ''} | | | ${targetText(r.target, r.met)} |`);
        continue;
      }
      lines.push(`| ${r.name} | ${range(r.of_values)}${u} (${r.of}) | ${range(r.reference_values)}${u} (${r.reference}) | ${range(r.ratio)} | ${targetText(r.target, r.met)} |`);
    }
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node bench/readme-table.mjs bench/results/<file>.json\n');
    process.exit(2);
  }
  const results = JSON.parse(fs.readFileSync(file, 'utf8'));
  process.stdout.write(`${readmeTable(results, path.relative(process.cwd(), path.resolve(file)))}\n`);
}
