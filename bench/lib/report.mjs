// Turning measurements into the two outputs: ratio records for the results file and rows for
// the table on stdout. A ratio always names what was divided by what.
import { pairedRatio, summarize } from './stats.mjs';

/**
 * A headline ratio: a[r] / b[r] per round, summarised. `target` is { op: '>=' | '<=', value }
 * (from DESIGN.md §8) or null when the figure is informative only.
 */
export function ratio({ id, name, of, reference, a, b, target = null, better = 'higher' }) {
  const value = pairedRatio(a, b);
  const met = target === null || !Number.isFinite(value.median) ? null : target.op === '>=' ? value.median >= target.value : value.median <= target.value;
  return { id, name, of, reference, better, ratio: value, of_values: summarize(a), reference_values: summarize(b), target, met };
}

/** An absolute figure checked against an absolute target (e.g. master RSS ≤ 45 MiB). */
export function absolute({ id, name, of, unit, values, target = null, better = 'lower' }) {
  const value = summarize(values);
  const met = target === null || !Number.isFinite(value.median) ? null : target.op === '>=' ? value.median >= target.value : value.median <= target.value;
  return { id, name, of, unit, better, value, target, met };
}

export function fmt(x, digits) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return String(x);
  const d = digits ?? (Math.abs(x) >= 1000 ? 0 : Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2);
  return x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** "median [min–max]" of a summary. */
export function range(s, digits) {
  if (!s || !Number.isFinite(s.median)) return '–';
  if (s.n <= 1 || s.min === s.max) return fmt(s.median, digits);
  return `${fmt(s.median, digits)} [${fmt(s.min, digits)}–${fmt(s.max, digits)}]`;
}

export function targetText(target) {
  if (!target) return '';
  return `${target.op === '>=' ? '≥' : '≤'} ${target.value}${target.unit ? ` ${target.unit}` : '×'}`;
}

/** The table: one section per scenario, rows of { figure, drover, reference, ratio, target, met }. */
export function renderTable(results) {
  const header = ['figure', 'drover', 'reference', 'ratio (median [min–max])', 'target', ''];
  const lines = [];
  for (const [id, scenario] of Object.entries(results.scenarios)) {
    lines.push({ section: `${id}${scenario.title ? ` — ${scenario.title}` : ''}` });
    if (scenario.error) {
      lines.push({ cells: ['error', scenario.error.split('\n')[0], '', '', '', ''] });
      continue;
    }
    if (scenario.skipped) {
      lines.push({ cells: ['skipped', scenario.skipped, '', '', '', ''] });
      continue;
    }
    for (const row of scenario.rows ?? []) {
      lines.push({ cells: [row.figure, row.drover ?? '', row.reference ?? '', row.ratio ?? '', row.target ?? '', row.met === true ? 'ok' : row.met === false ? 'MISSED' : ''] });
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.filter((l) => l.cells).map((l) => String(l.cells[i]).length)));
  const out = [];
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  out.push(header.map((h, i) => h.padEnd(widths[i])).join(' | '));
  out.push(rule);
  for (const line of lines) {
    if (line.section) out.push(`\n## ${line.section}`);
    else out.push(line.cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ').trimEnd());
  }
  return out.join('\n');
}
