import type { Box } from '../geometry/geometry.js';
import type { ModelOutputs, OutputTensor } from './model-session.js';

/** NanoDet's three detection heads. */
export const NANODET_STRIDES = [8, 16, 32] as const;

export interface Candidate {
  readonly classId: number;
  readonly score: number;
  /** In model-input pixels. */
  readonly box: Box;
}

export interface NanoDetDecodeOptions {
  readonly inputWidth: number;
  readonly inputHeight: number;
  /** Minimum score per class id; a class whose entry is above 1 (e.g. Infinity) is never reported. */
  readonly minScores: Float32Array;
}

interface Head {
  readonly stride: number;
  readonly columns: number;
  readonly cells: number;
  readonly scores: Float32Array;
  readonly distances: Float32Array;
  /** Distribution bins per box side (reg_max + 1). */
  readonly bins: number;
}

/**
 * Finds each stride's score map [1, cells, classes] and distance map [1, cells, 4 x bins] by shape, not by position:
 * the converted graph keeps TF.js's output order, which interleaves strides and kinds.
 */
function findHeads(outputs: ModelOutputs, options: NanoDetDecodeOptions): Head[] {
  const classes = options.minScores.length;
  const tensors = [...outputs.values()];
  return NANODET_STRIDES.map((stride) => {
    const columns = Math.ceil(options.inputWidth / stride);
    const cells = columns * Math.ceil(options.inputHeight / stride);
    const ofCells = tensors.filter((tensor: OutputTensor) => tensor.dims.length === 3 && tensor.dims[1] === cells);
    const scores = ofCells.find((tensor) => tensor.dims[2] === classes);
    const distances = ofCells.find((tensor) => tensor !== scores && (tensor.dims[2] ?? 0) % 4 === 0);
    if (scores === undefined || distances === undefined) {
      throw new Error(`nanodet outputs lack the stride-${stride} heads [1,${cells},${classes}] and [1,${cells},4*bins]; got ${tensors.map((t) => `[${t.dims.join(',')}]`).join(' ')}`);
    }
    return { stride, columns, cells, scores: scores.data, distances: distances.data, bins: (distances.dims[2] ?? 0) / 4 };
  });
}

/** Expected bin index under the softmax of `bins` logits: NanoDet's (GFL) distance of one box side, in stride units. */
function expectedBin(logits: Float32Array, offset: number, bins: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < bins; i += 1) max = Math.max(max, logits[offset + i] ?? 0);
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < bins; i += 1) {
    const e = Math.exp((logits[offset + i] ?? 0) - max);
    sum += e;
    weighted += e * i;
  }
  return weighted / sum;
}

/**
 * NanoDet (GFL head) decoding: scores are already sigmoid in the graph; each cell's centre is ((col + 0.5) x stride,
 * (row + 0.5) x stride) and the box sides lie left / top / right / bottom of it at the expected bin x stride.
 * Every class above its threshold yields a candidate (multi-label, as NanoDet's own post-processing does).
 */
export function decodeNanoDet(outputs: ModelOutputs, options: NanoDetDecodeOptions): Candidate[] {
  const { minScores } = options;
  const classes = minScores.length;
  // Only the configured labels have a finite threshold; reading the other classes' scores of every cell found nothing.
  const wanted = Int32Array.from(minScores.keys()).filter((classId) => Number.isFinite(minScores[classId]));
  const candidates: Candidate[] = [];
  for (const head of findHeads(outputs, options)) {
    const { stride, columns, cells, scores, distances, bins } = head;
    for (let cell = 0; cell < cells; cell += 1) {
      const base = cell * classes;
      let box: Box | undefined;
      for (const classId of wanted) {
        const score = scores[base + classId] ?? 0;
        if (score < (minScores[classId] ?? Number.POSITIVE_INFINITY)) continue;
        if (box === undefined) {
          const cx = ((cell % columns) + 0.5) * stride;
          const cy = (Math.floor(cell / columns) + 0.5) * stride;
          const at = cell * bins * 4;
          box = {
            x1: Math.max(0, cx - expectedBin(distances, at, bins) * stride),
            y1: Math.max(0, cy - expectedBin(distances, at + bins, bins) * stride),
            x2: Math.min(options.inputWidth, cx + expectedBin(distances, at + 2 * bins, bins) * stride),
            y2: Math.min(options.inputHeight, cy + expectedBin(distances, at + 3 * bins, bins) * stride),
          };
        }
        candidates.push({ classId, score, box });
      }
    }
  }
  return candidates;
}
