import type { LineConfig, ZoneConfig } from '../config/zones.js';
import type { Track } from '../track/tracker.js';
import { anchorOf, area, crossing, pointInPolygon, sideOf, toPixels, type Anchor, type CrossingDirection, type Point, type Side } from '../geometry/geometry.js';

/** A track inside a zone, since `enteredAt` (the first frame of the streak that confirmed the entry). */
export interface Presence {
  readonly track: Track;
  readonly enteredAt: number;
}

export interface ZoneUpdate {
  readonly inside: ReadonlyMap<number, Presence>;
  readonly entered: readonly Presence[];
  readonly left: readonly Presence[];
}

interface Membership {
  inside: boolean;
  enteredAt: number;
  streak: number;
  streakStart: number;
  track: Track;
}

interface Filter {
  readonly labels: readonly string[];
  readonly minScore: number;
  readonly minArea: number;
}

/**
 * The anchor of a track, kept inside the picture: the motion model may carry a box past the frame edge while the
 * person still stands at it, and a zone drawn up to the edge must still hold them.
 */
function anchorIn(track: Track, anchor: Anchor, width: number, height: number): Point {
  const [x, y] = anchorOf(track.box, anchor);
  return [Math.min(Math.max(x, 0), width), Math.min(Math.max(y, 0), height)];
}

function watched(filter: Filter, track: Track): boolean {
  return track.state !== 'tentative' && filter.labels.includes(track.label) && track.score >= filter.minScore && area(track.box) >= filter.minArea;
}

/**
 * Which tracks are in one zone. A change (in or out) needs `inertiaFrames` consecutive frames agreeing, so a box
 * jittering on the edge does not flicker; a track the tracker dropped leaves at once.
 */
export class ZoneWatcher {
  readonly zone: ZoneConfig;
  readonly polygon: readonly Point[];
  readonly #size: readonly [number, number];
  readonly #members = new Map<number, Membership>();
  readonly #inside = new Map<number, Presence>();

  constructor(zone: ZoneConfig, width: number, height: number) {
    this.zone = zone;
    this.polygon = toPixels(zone.polygon, width, height);
    this.#size = [width, height];
  }

  update(tracks: readonly Track[], ts: number): ZoneUpdate {
    const entered: Presence[] = [];
    const left: Presence[] = [];
    const seen = new Set<number>();
    for (const track of tracks) {
      seen.add(track.id);
      const now = watched(this.zone, track) && pointInPolygon(anchorIn(track, this.zone.anchor, ...this.#size), this.polygon);
      let m = this.#members.get(track.id);
      if (m === undefined) {
        m = { inside: false, enteredAt: ts, streak: 0, streakStart: ts, track };
        this.#members.set(track.id, m);
      }
      m.track = track;
      if (now === m.inside) {
        m.streak = 0;
      } else {
        if (m.streak === 0) m.streakStart = ts;
        m.streak += 1;
        if (m.streak >= this.zone.inertiaFrames) {
          m.inside = now;
          m.streak = 0;
          if (now) {
            m.enteredAt = m.streakStart;
            entered.push({ track, enteredAt: m.enteredAt });
          } else {
            left.push({ track, enteredAt: m.enteredAt });
          }
        }
      }
    }
    for (const [id, m] of this.#members) {
      if (seen.has(id)) continue;
      if (m.inside) left.push({ track: m.track, enteredAt: m.enteredAt });
      this.#members.delete(id);
    }
    this.#inside.clear();
    for (const [id, m] of this.#members) if (m.inside) this.#inside.set(id, { track: m.track, enteredAt: m.enteredAt });
    return { inside: this.#inside, entered, left };
  }
}

export interface Crossing {
  readonly track: Track;
  readonly direction: CrossingDirection;
}

interface LastSide {
  side: Side;
  point: Point;
}

/**
 * Crossings of one line. Each track remembers the last point where it stood clearly on one side; a later point on
 * the other side whose path from there cuts the segment is one crossing. Walking round an end of the line is not.
 */
export class LineWatcher {
  readonly line: LineConfig;
  readonly a: Point;
  readonly b: Point;
  readonly #size: readonly [number, number];
  readonly #last = new Map<number, LastSide>();

  constructor(line: LineConfig, width: number, height: number) {
    this.line = line;
    this.#size = [width, height];
    const [a, b] = toPixels([line.a, line.b], width, height);
    this.a = a ?? [0, 0];
    this.b = b ?? [0, 0];
  }

  update(tracks: readonly Track[]): Crossing[] {
    const out: Crossing[] = [];
    const seen = new Set<number>();
    for (const track of tracks) {
      seen.add(track.id);
      if (!track.matched || !watched(this.line, track)) continue;
      const point = anchorIn(track, this.line.anchor, ...this.#size);
      const side = sideOf(this.a, this.b, point);
      if (side === undefined) continue;
      const last = this.#last.get(track.id);
      if (last !== undefined && last.side !== side) {
        const direction = crossing(this.a, this.b, last.point, point);
        if (direction !== undefined) out.push({ track, direction });
      }
      this.#last.set(track.id, { side, point });
    }
    for (const id of this.#last.keys()) if (!seen.has(id)) this.#last.delete(id);
    return out;
  }
}
