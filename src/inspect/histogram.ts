/**
 * Histogram of chunk sizes for `inspect`: bins chosen from the spread of the values (linear when
 * they are within a factor of 20 of each other, logarithmic otherwise, so that a few huge chunks
 * do not squash the rest into one bar), rendered as text that fits 80 columns.
 */

/** Bins of a histogram: bin i holds the values in [edges[i], edges[i+1]), the last bin also its upper edge. */
export interface Histogram {
  /** How the edges are spaced. */
  readonly scale: 'linear' | 'log';
  /** bins + 1 ascending edges, in the unit of the values. */
  readonly edges: readonly number[];
  /** Values per bin. */
  readonly counts: readonly number[];
}

/** Ratio max/min above which bins are spaced logarithmically. */
const LOG_RATIO = 20;

/**
 * Bins `values` into at most `maxBins` bins.
 * @param values finite numbers (NaN and infinities are left out)
 * @param maxBins >= 1
 */
export function histogram(values: ArrayLike<number>, maxBins = 10): Histogram {
  if (!Number.isInteger(maxBins) || maxBins < 1) {
    throw new RangeError(`histogram: maxBins must be an integer >= 1, got ${maxBins}`);
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    n++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (n === 0) return { scale: 'linear', edges: [], counts: [] };
  if (min === max) return { scale: 'linear', edges: [min, max], counts: [n] };

  const log = min > 0 && max / min >= LOG_RATIO;
  const bins = maxBins;
  const edges: number[] = [];
  for (let i = 0; i <= bins; i++) {
    const t = i / bins;
    edges.push(log ? min * (max / min) ** t : min + (max - min) * t);
  }
  // Exact ends: powers and sums can miss min and max by an ulp and drop them from every bin.
  edges[0] = min;
  edges[bins] = max;
  const counts = new Array<number>(bins).fill(0);
  const lo = log ? Math.log(min) : min;
  const span = log ? Math.log(max) - lo : max - min;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    let b = Math.floor((((log ? Math.log(v) : v) - lo) / span) * bins);
    // Rounding of the log can put a value one bin off its edge; the edges are the truth.
    b = Math.min(bins - 1, Math.max(0, b));
    while (b > 0 && v < edges[b]!) b--;
    while (b < bins - 1 && v >= edges[b + 1]!) b++;
    counts[b]!++;
  }
  return { scale: log ? 'log' : 'linear', edges, counts };
}

/** A number in at most about 7 characters: whole below 10,000, 3 significant digits with k/M/G above, exponent for tiny. */
export function compactNumber(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e9) return `${Number((v / 1e9).toPrecision(3))}G`;
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  // Counts below 10,000 are shown whole: "1234 rows" rather than a rounded "1230".
  if (a >= 100) return String(Math.round(v));
  if (a >= 1e-3) return String(Number(v.toPrecision(3)));
  return v.toExponential(1);
}

/**
 * Renders a histogram as text lines: the bin's range, a bar scaled to the largest bin, the count.
 * @param width the line length to stay within, in characters (default 80)
 */
export function formatHistogram(h: Histogram, width = 80): string[] {
  if (h.counts.length === 0) return ['  (no values)'];
  const labels = h.counts.map((_, i) => {
    const lo = compactNumber(h.edges[i]!);
    const hi = compactNumber(h.edges[i + 1]!);
    return h.counts.length === 1 ? `${lo}` : `${lo} - ${hi}`;
  });
  const labelWidth = Math.max(...labels.map((l) => l.length));
  const countWidth = Math.max(...h.counts.map((c) => String(c).length));
  const most = Math.max(...h.counts);
  // "  label | bar count": 2 + label + 3 + bar + 1 + count.
  const barWidth = Math.max(10, width - 2 - labelWidth - 3 - 1 - countWidth);
  return h.counts.map((c, i) => {
    const bar = c === 0 ? '' : '#'.repeat(Math.max(1, Math.round((c / most) * barWidth)));
    return `  ${labels[i]!.padStart(labelWidth)} | ${bar.padEnd(barWidth)} ${String(c).padStart(countWidth)}`;
  });
}
