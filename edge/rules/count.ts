import type { Crossing, ZoneUpdate } from './areas.js';
import type { CountRecord } from './hit.js';

const MINUTE = 60_000;

/** Sums one count rule's entries / exits (or crossings) per minute of the frame clock and closes each minute once. */
export class MinuteCounter {
  readonly #rule: string;
  readonly #camera: string;
  readonly #area: string;
  readonly #names: readonly [string, string];
  #minute: number | undefined;
  #counts: [number, number] = [0, 0];

  constructor(options: { rule: string; camera: string; area: string; kind: 'zone' | 'line' }) {
    this.#rule = options.rule;
    this.#camera = options.camera;
    this.#area = options.area;
    this.#names = options.kind === 'zone' ? ['entered', 'left'] : ['left-to-right', 'right-to-left'];
  }

  /** Adds one frame's changes; returns the record of the previous minute when this frame starts a new one. */
  add(ts: number, active: boolean, zone: ZoneUpdate | undefined, crossings: readonly Crossing[]): CountRecord[] {
    const minute = Math.floor(ts / MINUTE);
    const closed = this.#minute !== undefined && minute !== this.#minute ? this.flush() : [];
    this.#minute = minute;
    if (active) {
      this.#counts[0] += (zone?.entered.length ?? 0) + crossings.filter((c) => c.direction === 'left-to-right').length;
      this.#counts[1] += (zone?.left.length ?? 0) + crossings.filter((c) => c.direction === 'right-to-left').length;
    }
    return closed;
  }

  /** Closes the minute in progress (end of a replay); nothing when no frame was counted. */
  flush(): CountRecord[] {
    if (this.#minute === undefined) return [];
    const record: CountRecord = {
      kind: 'count',
      rule: this.#rule,
      camera: this.#camera,
      zone: this.#area,
      from: this.#minute * MINUTE,
      to: (this.#minute + 1) * MINUTE,
      counts: { [this.#names[0]]: this.#counts[0], [this.#names[1]]: this.#counts[1] },
    };
    this.#minute = undefined;
    this.#counts = [0, 0];
    return [record];
  }
}
