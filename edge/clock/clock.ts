/**
 * Where a frame's timestamp comes from. Live cameras use the wall clock; a replayed file uses media time so the
 * same file gives the same timestamps (and so the same alerts) on any machine, however fast it decodes.
 */
export interface Clock {
  /** Milliseconds since the epoch for the frame with this index (0 = first frame the source delivered). */
  frameTime(frameIndex: number): number;
  /** Milliseconds since the epoch, "now" as this clock sees it. */
  now(): number;
}

export class WallClock implements Clock {
  frameTime(): number {
    return Date.now();
  }

  now(): number {
    return Date.now();
  }
}

export interface MediaClockOptions {
  /** Epoch milliseconds of the file's first frame. */
  readonly anchor: number;
  /** Frames per second the file is decoded at. */
  readonly fps: number;
}

/** anchor + frameIndex * 1000 / fps, rounded to whole milliseconds; "now" is the time of the latest stamped frame. */
export class MediaClock implements Clock {
  readonly #options: MediaClockOptions;
  #latest: number;

  constructor(options: MediaClockOptions) {
    this.#options = options;
    this.#latest = options.anchor;
  }

  frameTime(frameIndex: number): number {
    const ts = this.#options.anchor + Math.round((frameIndex * 1000) / this.#options.fps);
    this.#latest = Math.max(this.#latest, ts);
    return ts;
  }

  now(): number {
    return this.#latest;
  }
}
