import { iou, type Box } from '../geometry/geometry.js';

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
