import type { InferenceSession } from 'onnxruntime-node';
import { compareFaces, comparePersons, embeddingCosines } from './accuracy.js';
import type { ModelSpec } from './catalog.js';
import type { ValueInfo } from './onnx-graph.js';
import { inputSize } from './preprocess.js';

/** Acceptance for an INT8 file against its FP32 twin (issue 3): the INT8 file becomes the default only if it passes. */
export const GATES = { personMatch: 0.95, faceMatch: 0.95, minCosine: 0.98 } as const;

export interface GateResult {
  readonly passed: boolean;
  readonly summary: string;
}

export const FACE_SCORE = 0.6;

export async function accuracyGate(spec: ModelSpec, fp32: InferenceSession, int8: InferenceSession, outputs: readonly ValueInfo[], heldOut: readonly Float32Array[]): Promise<GateResult> {
  const shape = spec.input.shape;
  const size = inputSize(spec.input);
  switch (spec.role) {
    case 'detector': {
      const r = await comparePersons(fp32, int8, outputs, heldOut, shape, size);
      const ratio = r.reference === 0 ? 0 : r.matched / r.reference;
      return {
        passed: ratio >= GATES.personMatch && r.spurious === 0,
        summary: `${String(r.matched)}/${String(r.reference)} FP32 person boxes (score >= 0.4) matched by an INT8 box at IoU >= 0.8 (${(ratio * 100).toFixed(1)}%), ${String(r.spurious)} INT8-only persons, on ${String(heldOut.length)} held-out vtest frames`,
      };
    }
    case 'face-detector': {
      const r = await compareFaces(fp32, int8, outputs, heldOut, shape, size.width, FACE_SCORE);
      const ratio = r.reference === 0 ? 0 : r.matched / r.reference;
      return {
        passed: ratio >= GATES.faceMatch && r.spurious === 0,
        summary: `${String(r.matched)}/${String(r.reference)} FP32 faces (score >= ${String(FACE_SCORE)}) matched by an INT8 face at IoU >= 0.5 (${(ratio * 100).toFixed(1)}%), ${String(r.spurious)} INT8-only faces, on ${String(heldOut.length)} face pictures`,
      };
    }
    case 'face-embedder': {
      const cosines = await embeddingCosines(fp32, int8, heldOut, shape);
      const min = Math.min(...cosines);
      const mean = cosines.reduce((a, b) => a + b, 0) / cosines.length;
      return {
        passed: min >= GATES.minCosine,
        summary: `INT8 vs FP32 embedding cosine min ${min.toFixed(4)}, mean ${mean.toFixed(4)} over ${String(cosines.length)} held-out face crops`,
      };
    }
    default: {
      const role: never = spec.role;
      throw new Error(`unknown role ${String(role)}`);
    }
  }
}
