/** Latency statistics for the benchmarks: every sample is kept, nothing is estimated or bucketed. */

export interface Summary {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
}

/**
 * The nearest-rank percentile of samples already sorted ascending: the smallest sample such that
 * at least p % of all samples are less than or equal to it (rank ⌈p/100 · n⌉, p = 0 is the minimum).
 * Always one of the recorded samples, never an interpolation.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no samples');
  if (!Number.isFinite(p) || p < 0 || p > 100) throw new RangeError(`percentile must be within [0, 100], got ${p}`);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/** Sorts a copy of the samples (numerically; the input is left alone) and summarises them. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summary of no samples');
  const sorted = Float64Array.from(samples).sort();
  const values = Array.from(sorted);
  let total = 0;
  for (const value of values) total += value;
  return {
    count: values.length,
    min: values[0],
    max: values[values.length - 1],
    mean: total / values.length,
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
  };
}

/** Rounds for display in the JSON lines (latencies to 0.01 ms, rates to 0.01/s). */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
