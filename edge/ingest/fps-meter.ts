/** Frames per second over a sliding window of recent frame times. */
export class FpsMeter {
  readonly #windowMs: number;
  readonly #stamps: number[] = [];

  constructor(windowMs = 5000) {
    this.#windowMs = windowMs;
  }

  tick(nowMs: number): void {
    this.#stamps.push(nowMs);
    this.#trim(nowMs);
  }

  rate(nowMs: number): number {
    this.#trim(nowMs);
    const first = this.#stamps[0];
    if (first === undefined || this.#stamps.length < 2) return 0;
    const span = Math.max(nowMs - first, 1);
    return Math.round(((this.#stamps.length - 1) * 10_000) / span) / 10;
  }

  #trim(nowMs: number): void {
    let drop = 0;
    while (drop < this.#stamps.length && (this.#stamps[drop] ?? nowMs) < nowMs - this.#windowMs) drop += 1;
    if (drop > 0) this.#stamps.splice(0, drop);
  }
}
