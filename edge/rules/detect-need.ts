import { usesIdentity, type RuleConfig } from '../config/rules.js';
import type { LineConfig, ZoneConfig } from '../config/zones.js';
import { anchorOf, pointInPolygon, segmentsIntersect, toPixels, type Box, type Point } from '../geometry/geometry.js';
import type { Track } from '../track/tracker.js';
import type { Urgency } from '../vision/inference-scheduler.js';
import type { GatePlan } from '../vision/motion-gate.js';

/**
 * Why a camera wants the detector at the rate it asks for: the motion gate's own reasons (first frame, lighting
 * change, gate disabled), something moving near an area whose rule needs every frame (zone-activity), motion near
 * an area whose rule only judges presence over seconds (motion), a track due for its periodic look (redetect), only
 * stationary objects to re-check (stationary), or nothing near any rule (idle).
 */
export const NEED_REASONS = ['first', 'lighting', 'disabled', 'zone-activity', 'motion', 'redetect', 'stationary', 'idle'] as const;
export type NeedReason = (typeof NEED_REASONS)[number];

export interface DetectNeed {
  /** The detector should run on this frame when its last run is at least this long ago; Infinity: not now. */
  readonly intervalMs: number;
  readonly urgency: Urgency;
  readonly reason: NeedReason;
}

/**
 * Rules decided on the first frames an object is inside (an entry, a crossing, a weapon seen, the n-th return): the
 * alert is as late as the detector, so they get every frame while something moves near their area.
 */
const EVERY_FRAME: ReadonlySet<RuleConfig['type']> = new Set(['intrusion', 'line-cross', 'object', 'return']);
/**
 * Rules that judge presence over seconds (dwell, crowd, absence, parking, vendor, counts): a look every second moves
 * their decision by at most that, well inside the seconds they wait, and the tracker keeps a walker's id across a
 * second (it finds a track again by distance after such gaps). Bounded by a quarter of the rule's own time so a
 * short dwell still sees four looks.
 */
const PRESENCE_MS = 1000;
/**
 * Rules that need a face (watchlist, minor-venue, identify: true): faces are looked at only on frames the detector
 * ran (a track's box where the person is), and track identification tries a person every 400 ms
 * (identity/head-face.ts ATTEMPT_INTERVAL_MS), so the detector runs that often near them.
 */
const IDENTITY_MS = 400;
/** Motion far from every area: a rare look, so a camera with nothing near its rules costs almost nothing. */
const IDLE_MS = 5000;
/**
 * Activity this fraction of the picture height from an area counts as near it: a walker covers it in about a
 * second, time for the three detector runs that confirm a track before its feet reach the area.
 */
const NEAR = 0.2;

interface Area {
  readonly intervalMs: number;
  readonly touches: (box: Box) => boolean;
  /** The object standing at this box is already inside (a zone); a line has no inside. */
  readonly holds: (box: Box) => boolean;
}

export interface DetectNeedOptions {
  readonly camera: {
    readonly detect: { readonly width: number; readonly height: number };
    readonly zones: readonly ZoneConfig[];
    readonly lines: readonly LineConfig[];
  };
  /** The enabled rules of this camera. */
  readonly rules: readonly RuleConfig[];
}

/**
 * What one camera's rules need of the detector on a frame, from the motion gate's plan and the tracks: the rate the
 * box-wide scheduler is asked for and the reason it is reported under.
 */
export class DetectNeeds {
  readonly #areas: Area[];
  readonly #margin: number;

  constructor(options: DetectNeedOptions) {
    const { width, height } = options.camera.detect;
    this.#margin = NEAR * height;
    this.#areas = options.rules.flatMap((rule): Area[] => {
      const presenceMs = EVERY_FRAME.has(rule.type) ? 0 : Math.min(PRESENCE_MS, 'seconds' in rule ? (rule.seconds * 1000) / 4 : PRESENCE_MS);
      const intervalMs = usesIdentity(rule) ? Math.min(presenceMs, IDENTITY_MS) : presenceMs;
      const zone = 'zone' in rule ? options.camera.zones.find((z) => z.id === rule.zone) : undefined;
      const line = 'line' in rule ? options.camera.lines.find((l) => l.id === rule.line) : undefined;
      const areas: Area[] = [];
      // An identity rule without a zone watches every person in the picture.
      if (usesIdentity(rule) && zone === undefined && line === undefined) areas.push({ intervalMs, touches: () => true, holds: () => true });
      if (zone !== undefined) {
        const polygon = toPixels(zone.polygon, width, height);
        areas.push({ intervalMs, touches: (box) => boxTouchesPolygon(box, polygon), holds: (box) => pointInPolygon(anchorOf(box, zone.anchor), polygon) });
      }
      if (line !== undefined) {
        const [a = [0, 0], b = [0, 0]] = toPixels([line.a, line.b], width, height);
        areas.push({ intervalMs, touches: (box) => boxTouchesSegment(box, a, b), holds: () => false });
      }
      return areas;
    });
  }

  need(plan: GatePlan, tracks: readonly Track[]): DetectNeed {
    const allStill = tracks.length > 0 && tracks.every((t) => t.stationary);
    if (!plan.run) return { intervalMs: Number.POSITIVE_INFINITY, urgency: 'low', reason: allStill ? 'stationary' : 'idle' };
    switch (plan.reason) {
      case 'first':
      case 'lighting':
      case 'disabled':
        return { intervalMs: 0, urgency: 'urgent', reason: plan.reason };
      case 'redetect':
      case 'still':
        return allStill ? { intervalMs: 0, urgency: 'low', reason: 'stationary' } : { intervalMs: 0, urgency: 'normal', reason: 'redetect' };
      case 'motion':
        return this.#forActivity([...(plan.motion === undefined ? [] : [plan.motion]), ...tracks.filter((t) => !t.stationary).map((t) => t.box)]);
    }
  }

  /** The tracks as the motion gate should treat them: one poised to enter is not left to the stationary re-check. */
  watchful(tracks: readonly Track[]): Track[] {
    return tracks.map((t) => (t.stationary && this.#poisedToEnter(t.box) ? { ...t, stationary: false } : t));
  }

  /**
   * Whether an object standing at `box` is near an area whose rule needs every frame without being inside it: one
   * step away from an entry or a crossing. Such an object is not left to the long stationary re-check, because a
   * small or distant person's first steps can stay under the motion gate's threshold.
   */
  #poisedToEnter(box: Box): boolean {
    const grown = this.#grown(box);
    return this.#areas.some((area) => area.intervalMs === 0 && area.touches(grown) && !area.holds(box));
  }

  #grown(b: Box): Box {
    const m = this.#margin;
    return { x1: b.x1 - m, y1: b.y1 - m, x2: b.x2 + m, y2: b.y2 + m };
  }

  /** The shortest interval of the areas the activity is near. */
  #forActivity(boxes: readonly Box[]): DetectNeed {
    const grown = boxes.map((b) => this.#grown(b));
    let intervalMs = Number.POSITIVE_INFINITY;
    for (const area of this.#areas) if (area.intervalMs < intervalMs && grown.some((box) => area.touches(box))) intervalMs = area.intervalMs;
    if (intervalMs === 0) return { intervalMs, urgency: 'urgent', reason: 'zone-activity' };
    if (Number.isFinite(intervalMs)) return { intervalMs, urgency: 'normal', reason: 'motion' };
    return { intervalMs: IDLE_MS, urgency: 'low', reason: 'idle' };
  }
}

function inBox(box: Box, [x, y]: Point): boolean {
  return x >= box.x1 && x <= box.x2 && y >= box.y1 && y <= box.y2;
}

function edges(box: Box): [Point, Point][] {
  const corners: Point[] = [[box.x1, box.y1], [box.x2, box.y1], [box.x2, box.y2], [box.x1, box.y2]];
  return corners.map((c, i) => [c, corners[(i + 1) % 4] ?? c]);
}

function boxTouchesSegment(box: Box, a: Point, b: Point): boolean {
  return inBox(box, a) || inBox(box, b) || edges(box).some(([p, q]) => segmentsIntersect(a, b, p, q));
}

function boxTouchesPolygon(box: Box, polygon: readonly Point[]): boolean {
  if (pointInPolygon([(box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2], polygon)) return true;
  return polygon.some((p, i) => boxTouchesSegment(box, p, polygon[(i + 1) % polygon.length] ?? p));
}
