export interface LatencySummary {
  /** Samples the figures below are taken from (at most the window size). */
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

/** Percentile of sorted values by the nearest-rank method; 0 for none. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

/** The last `size` durations in milliseconds, for telemetry's p50 / p95 without unbounded memory. */
export class LatencyWindow {
  readonly #samples: Float64Array;
  #next = 0;
  #count = 0;

  constructor(size: number) {
    this.#samples = new Float64Array(Math.max(1, size));
  }

  add(ms: number): void {
    this.#samples[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#samples.length;
    this.#count = Math.min(this.#count + 1, this.#samples.length);
  }

  summary(): LatencySummary {
    const sorted = Array.from(this.#samples.subarray(0, this.#count)).sort((a, b) => a - b);
    return { count: sorted.length, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), max: sorted.at(-1) ?? 0 };
  }
}
