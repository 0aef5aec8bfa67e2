import type { Box } from '../geometry/geometry.js';

/** One coordinate with its velocity: position p, velocity v (per second) and their covariance. */
interface Axis {
  p: number;
  v: number;
  pp: number;
  pv: number;
  vv: number;
}

/** Noise scales relative to the box height, so near and far people behave alike (as in SORT / ByteTrack). */
const POSITION_NOISE = 0.05;
const VELOCITY_NOISE = 0.6;
const MEASUREMENT_NOISE = 0.05;

/**
 * Constant-velocity Kalman filter on the box centre and size. The four axes are independent, which keeps the
 * maths to 2x2 matrices; time steps are real seconds so skipped or dropped frames predict the right distance.
 */
export class BoxFilter {
  readonly #axes: [Axis, Axis, Axis, Axis];

  constructor(box: Box) {
    const h = box.y2 - box.y1;
    const values = [(box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2, box.x2 - box.x1, h];
    const pos = (2 * POSITION_NOISE * h) ** 2;
    const vel = (VELOCITY_NOISE * h) ** 2;
    const axis = (p: number): Axis => ({ p, v: 0, pp: pos, pv: 0, vv: vel });
    this.#axes = [axis(values[0] ?? 0), axis(values[1] ?? 0), axis(values[2] ?? 0), axis(values[3] ?? 0)];
  }

  /** The box the filter expects `seconds` from its current state, without changing it. */
  peek(seconds: number): Box {
    const [cx, cy, w, h] = this.#axes.map((a) => a.p + a.v * seconds) as [number, number, number, number];
    return boxOf(cx, cy, Math.max(1, w), Math.max(1, h));
  }

  predict(seconds: number): void {
    const h = Math.max(1, this.#axes[3].p);
    const q0 = (POSITION_NOISE * h) ** 2 * seconds;
    const q1 = (VELOCITY_NOISE * h) ** 2 * seconds;
    for (const a of this.#axes) {
      a.p += a.v * seconds;
      a.pp += 2 * seconds * a.pv + seconds * seconds * a.vv + q0;
      a.pv += seconds * a.vv;
      a.vv += q1;
    }
  }

  update(box: Box): void {
    const h = box.y2 - box.y1;
    const r = (MEASUREMENT_NOISE * h) ** 2;
    const z = [(box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2, box.x2 - box.x1, h];
    this.#axes.forEach((a, i) => {
      const s = a.pp + r;
      const k0 = a.pp / s;
      const k1 = a.pv / s;
      const y = (z[i] ?? a.p) - a.p;
      a.p += k0 * y;
      a.v += k1 * y;
      const pp = (1 - k0) * a.pp;
      const pv = (1 - k0) * a.pv;
      a.vv -= k1 * a.pv;
      a.pp = pp;
      a.pv = pv;
    });
  }

  box(): Box {
    return this.peek(0);
  }
}

function boxOf(cx: number, cy: number, w: number, h: number): Box {
  return { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 };
}
