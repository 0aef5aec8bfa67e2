/** Axis-aligned box in frame pixels; x1 < x2, y1 < y2. */
export interface Box {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

export type Point = readonly [number, number];

/** Which point of a box stands for the object when deciding membership: the feet (bottom-center) by default. */
export const ANCHORS = ['bottom-center', 'center', 'top-center', 'bottom-left', 'bottom-right'] as const;
export type Anchor = (typeof ANCHORS)[number];

export function anchorOf(box: Box, anchor: Anchor): Point {
  const cx = (box.x1 + box.x2) / 2;
  switch (anchor) {
    case 'bottom-center':
      return [cx, box.y2];
    case 'center':
      return [cx, (box.y1 + box.y2) / 2];
    case 'top-center':
      return [cx, box.y1];
    case 'bottom-left':
      return [box.x1, box.y2];
    case 'bottom-right':
      return [box.x2, box.y2];
  }
}

export function area(box: Box): number {
  return Math.max(0, box.x2 - box.x1) * Math.max(0, box.y2 - box.y1);
}

/** Intersection over union: the detector's NMS, the tracker and the rules measure box overlap the same way. */
export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (area(a) + area(b) - inter);
}

/** Coordinates all within 0..1 are a normalized drawing; anything larger is detect-resolution pixels. */
export function isNormalized(points: readonly Point[]): boolean {
  return points.every(([x, y]) => x >= 0 && x <= 1 && y >= 0 && y <= 1);
}

/** Points in the pixels of a width x height picture, whichever way they were drawn. */
export function toPixels(points: readonly Point[], width: number, height: number): Point[] {
  if (!isNormalized(points)) return points.map(([x, y]) => [x, y]);
  return points.map(([x, y]) => [x * width, y * height]);
}

/** Shoelace formula; positive for clockwise polygons in picture coordinates (y down). */
export function signedArea(polygon: readonly Point[]): number {
  let sum = 0;
  for (let i = 0; i < polygon.length; i++) {
    const [x1, y1] = polygon[i] ?? [0, 0];
    const [x2, y2] = polygon[(i + 1) % polygon.length] ?? [0, 0];
    sum += x1 * y2 - x2 * y1;
  }
  return sum / 2;
}

/** Even-odd ray casting; points exactly on an edge count as inside so a foot on the boundary is not lost. */
export function pointInPolygon(point: Point, polygon: readonly Point[]): boolean {
  const [px, py] = point;
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i] ?? [0, 0];
    const [xj, yj] = polygon[j] ?? [0, 0];
    if (onSegment(point, [xi, yi], [xj, yj])) return true;
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Cross product of (b - a) and (p - a): < 0 left of a->b, > 0 right of it, in picture coordinates (y down). */
export function cross(a: Point, b: Point, p: Point): number {
  return (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
}

function onSegment(p: Point, a: Point, b: Point): boolean {
  return cross(a, b, p) === 0 && p[0] >= Math.min(a[0], b[0]) && p[0] <= Math.max(a[0], b[0]) && p[1] >= Math.min(a[1], b[1]) && p[1] <= Math.max(a[1], b[1]);
}

/** True when segments p1-p2 and q1-q2 share a point (touching counts). */
export function segmentsIntersect(p1: Point, p2: Point, q1: Point, q2: Point): boolean {
  const d1 = cross(q1, q2, p1);
  const d2 = cross(q1, q2, p2);
  const d3 = cross(p1, p2, q1);
  const d4 = cross(p1, p2, q2);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  return onSegment(p1, q1, q2) || onSegment(p2, q1, q2) || onSegment(q1, p1, p2) || onSegment(q2, p1, p2);
}

export type Side = 'left' | 'right';
/** Sides of a line as seen standing at a and looking towards b. */
export type CrossingDirection = 'left-to-right' | 'right-to-left';

export function sideOf(a: Point, b: Point, p: Point): Side | undefined {
  const c = cross(a, b, p);
  if (c === 0) return undefined;
  return c < 0 ? 'left' : 'right';
}

/**
 * The direction in which a movement from `from` to `to` crosses the segment a-b, or undefined when it does not
 * cross it. Ending exactly on the line is not yet a crossing: the next movement off it decides.
 */
export function crossing(a: Point, b: Point, from: Point, to: Point): CrossingDirection | undefined {
  const before = sideOf(a, b, from);
  const after = sideOf(a, b, to);
  if (before === undefined || after === undefined || before === after) return undefined;
  if (!segmentsIntersect(a, b, from, to)) return undefined;
  return before === 'left' ? 'left-to-right' : 'right-to-left';
}

/** Why a polygon cannot be a zone, or undefined when it can. */
export function polygonProblem(polygon: readonly Point[]): string | undefined {
  if (polygon.length < 3) return `a zone needs at least 3 points, got ${polygon.length}`;
  const first = polygon[0] ?? [0, 0];
  const other = polygon.find(([x, y]) => x !== first[0] || y !== first[1]);
  if (other === undefined || polygon.every((p) => cross(first, other, p) === 0)) return 'the polygon has zero area (all points on one line)';
  const n = polygon.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      // Neighbouring edges share a corner; only edges that are not adjacent may not touch.
      if (j === i + 1 || (i === 0 && j === n - 1)) continue;
      const a1 = polygon[i] ?? [0, 0];
      const a2 = polygon[(i + 1) % n] ?? [0, 0];
      const b1 = polygon[j] ?? [0, 0];
      const b2 = polygon[(j + 1) % n] ?? [0, 0];
      if (segmentsIntersect(a1, a2, b1, b2)) return `the polygon crosses itself (edge ${i + 1} meets edge ${j + 1})`;
    }
  }
  if (Math.abs(signedArea(polygon)) < 1e-9) return 'the polygon has zero area';
  return undefined;
}

/** Smallest box holding every box given; undefined for none. */
export function unionBox(boxes: Iterable<Box>): Box | undefined {
  let out: Box | undefined;
  for (const b of boxes) {
    out = out === undefined ? { ...b } : { x1: Math.min(out.x1, b.x1), y1: Math.min(out.y1, b.y1), x2: Math.max(out.x2, b.x2), y2: Math.max(out.y2, b.y2) };
  }
  return out;
}

export function distance(a: Point, b: Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}
