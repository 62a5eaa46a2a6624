/**
 * Shared benchmark helpers: timing, median/percentiles, and one printing style where every figure
 * stands beside its baseline (or target) with the ratio, so machine noise cancels (test/bench/run.ts).
 */

/** The q-quantile (0..1) of `xs`, nearest-rank. */
export function percentile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The median of `xs` (mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Wall time of `fn` in milliseconds. */
export function timeMs(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Wall times of `runs` calls of `fn`, in milliseconds. */
export function timeRuns(runs: number, fn: (run: number) => void): number[] {
  return Array.from({ length: runs }, (_, run) => timeMs(() => fn(run)));
}

/** Formats a number with thousands separators and `digits` decimals. */
export function fmt(value: number, digits = 1): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Prints `label: value unit`. */
export function printFigure(label: string, value: number, unit: string, digits = 1): void {
  console.log(`${label.padEnd(34)} ${fmt(value, digits).padStart(14)} ${unit}`);
}

export interface Comparison {
  label: string;
  value: number;
  unit: string;
  baselineLabel: string;
  baseline: number;
  /** The ratio value ÷ baseline must stay at or below this (`lower`) or at or above it (`higher`). */
  limit: number;
  better: 'lower' | 'higher';
  digits?: number;
}

/** Prints a figure beside its baseline with the ratio and whether the limit holds; returns that. */
export function printComparison(c: Comparison): boolean {
  const ratio = c.value / c.baseline;
  const ok = c.better === 'lower' ? ratio <= c.limit : ratio >= c.limit;
  const d = c.digits ?? 1;
  console.log(
    `${c.label.padEnd(34)} ${fmt(c.value, d).padStart(14)} ${c.unit}  vs ${c.baselineLabel} ${fmt(c.baseline, d)} ${c.unit}` +
      `  ratio ${ratio.toFixed(2)}× (${c.better === 'lower' ? '≤' : '≥'} ${c.limit}× ${ok ? 'OK' : 'MISSED'})`,
  );
  return ok;
}

/** A deterministic xorshift32 generator: `rand(n)` is in [0, n). Benchmarks replay the same queries. */
export function xorshift(seed = 0x9e3779b9): (n: number) => number {
  return (n) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
}
