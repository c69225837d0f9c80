// Small statistics: medians with min–max over rounds, percentiles over samples, and ratios
// paired round by round (drover's round r against the reference's round r).

/** The median (the mean of the two middle values for an even count); NaN for an empty list. */
export function median(values) {
  const sorted = Float64Array.from(values.filter(Number.isFinite)).sort();
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile of a list of numbers (sorted copy); NaN for an empty list. */
export function percentile(values, p) {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return Number.NaN;
  const sorted = Float64Array.from(finite).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** { median, min, max, n, values } of per-round figures. */
export function summarize(values) {
  const finite = values.filter(Number.isFinite);
  return {
    median: round(median(finite)),
    min: finite.length ? round(Math.min(...finite)) : Number.NaN,
    max: finite.length ? round(Math.max(...finite)) : Number.NaN,
    n: finite.length,
    values: values.map((v) => round(v)),
  };
}

/** Ratio per round (a[r] / b[r]), summarised. */
export function pairedRatio(a, b) {
  const n = Math.min(a.length, b.length);
  const ratios = [];
  for (let i = 0; i < n; i++) ratios.push(b[i] === 0 ? Number.NaN : a[i] / b[i]);
  return summarize(ratios);
}

export function round(x, digits = 4) {
  if (!Number.isFinite(x)) return x;
  const magnitude = Math.abs(x) >= 100 ? 1 : Math.abs(x) >= 1 ? 100 : 10 ** digits;
  return Math.round(x * magnitude) / magnitude;
}

export const MiB = 1024 * 1024;
