import type { Box } from './detection.js';

export function area(box: Box): number {
  return Math.max(0, box.x2 - box.x1) * Math.max(0, box.y2 - box.y1);
}

export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (area(a) + area(b) - inter);
}

export interface Scored {
  readonly score: number;
  readonly box: Box;
}

/** Greedy non-maximum suppression: highest score first, dropping boxes overlapping a kept one by more than `threshold`. */
export function nms<T extends Scored>(candidates: readonly T[], threshold: number, limit = Number.POSITIVE_INFINITY): T[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const candidate of sorted) {
    if (kept.length >= limit) break;
    if (kept.every((other) => iou(other.box, candidate.box) <= threshold)) kept.push(candidate);
  }
  return kept;
}

/** NMS within each class only: a person standing by a car must not suppress the car. */
export function nmsPerClass<T extends Scored & { readonly classId: number }>(candidates: readonly T[], threshold: number, limit = Number.POSITIVE_INFINITY): T[] {
  const byClass = new Map<number, T[]>();
  for (const candidate of candidates) {
    const list = byClass.get(candidate.classId);
    if (list === undefined) byClass.set(candidate.classId, [candidate]);
    else list.push(candidate);
  }
  const kept = [...byClass.values()].flatMap((list) => nms(list, threshold));
  return kept.sort((a, b) => b.score - a.score).slice(0, limit);
}
