export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Uniform in [0, 1); injectable so tests can pin the jitter. */
  readonly random?: () => number;
}

/**
 * Exponential backoff with "equal jitter": each delay is half the exponential step plus a random half, so cameras
 * that failed together (a switch rebooted) do not all reconnect in the same instant, yet none retries at once.
 */
export class Backoff {
  readonly #options: BackoffOptions;
  #attempt = 0;

  constructor(options: BackoffOptions) {
    this.#options = options;
  }

  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt; each call doubles the step up to maxMs. */
  next(): number {
    const step = Math.min(this.#options.maxMs, this.#options.initialMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt += 1;
    const random = this.#options.random ?? Math.random;
    return Math.round(step / 2 + (random() * step) / 2);
  }

  /** After a run that delivered frames: the next failure starts again from initialMs. */
  reset(): void {
    this.#attempt = 0;
  }
}
