import type { Box } from '../geometry/geometry.js';
import type { ModelOutputs } from './model-session.js';
import type { Point } from './similarity.js';

/** BlazeFace's anchor layout: 2 anchors per cell at stride 16, 6 per cell at stride 32 (896 for a 256 px input). */
const ANCHOR_LAYERS = [
  { stride: 16, perCell: 2 },
  { stride: 32, perCell: 6 },
] as const;

/** Values per anchor: centre offset, size, then 6 landmarks (x, y) relative to the anchor centre. */
const REGRESSORS = 16;
export const BLAZEFACE_LANDMARKS = 6;

export interface FaceCandidate {
  readonly score: number;
  /** In model-input pixels. */
  readonly box: Box;
  /** Right eye, left eye (the subject's), nose tip, mouth centre, right ear, left ear; model-input pixels. */
  readonly landmarks: readonly Point[];
}

function sigmoid(logit: number): number {
  // Clamped as MediaPipe does, so a saturated logit cannot overflow exp().
  return 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, logit))));
}

/**
 * Decodes BlazeFace: for each anchor layer find the [1, anchors, 16] regressors and [1, anchors, 1] logits by shape,
 * place the anchors row-major at ((col + 0.5) x stride, (row + 0.5) x stride), add the offsets (already in input pixels).
 */
export function decodeBlazeFace(outputs: ModelOutputs, inputSize: number, minScore: number): FaceCandidate[] {
  const tensors = [...outputs.values()];
  const minLogit = Math.log(minScore / (1 - minScore));
  const faces: FaceCandidate[] = [];
  for (const { stride, perCell } of ANCHOR_LAYERS) {
    const grid = Math.ceil(inputSize / stride);
    const anchors = grid * grid * perCell;
    const regressors = tensors.find((t) => t.dims.length === 3 && t.dims[1] === anchors && t.dims[2] === REGRESSORS);
    const logits = tensors.find((t) => t.dims.length === 3 && t.dims[1] === anchors && t.dims[2] === 1);
    if (regressors === undefined || logits === undefined) {
      throw new Error(`blazeface outputs lack the stride-${stride} heads [1,${anchors},16] and [1,${anchors},1]; got ${tensors.map((t) => `[${t.dims.join(',')}]`).join(' ')}`);
    }
    for (let i = 0; i < anchors; i += 1) {
      const logit = logits.data[i] ?? Number.NEGATIVE_INFINITY;
      if (logit < minLogit) continue;
      const cell = Math.floor(i / perCell);
      const ax = ((cell % grid) + 0.5) * stride;
      const ay = (Math.floor(cell / grid) + 0.5) * stride;
      const r = (k: number): number => regressors.data[i * REGRESSORS + k] ?? 0;
      const cx = ax + r(0);
      const cy = ay + r(1);
      const halfW = r(2) / 2;
      const halfH = r(3) / 2;
      const landmarks: Point[] = [];
      for (let k = 0; k < BLAZEFACE_LANDMARKS; k += 1) landmarks.push({ x: ax + r(4 + 2 * k), y: ay + r(5 + 2 * k) });
      faces.push({ score: sigmoid(logit), box: { x1: cx - halfW, y1: cy - halfH, x2: cx + halfW, y2: cy + halfH }, landmarks });
    }
  }
  return faces;
}
