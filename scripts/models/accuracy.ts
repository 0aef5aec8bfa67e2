import type { InferenceSession } from 'onnxruntime-node';
import { decodeBlazeFace } from '../../edge/vision/blazeface-decode.js';
import { iou, type Box } from '../../edge/geometry/geometry.js';
import type { ModelOutputs } from '../../edge/vision/model-session.js';
import { decodeNanoDet } from '../../edge/vision/nanodet-decode.js';
import { nms, nmsPerClass } from '../../edge/vision/nms.js';
import type { ValueInfo } from './onnx-graph.js';
import { runSession } from './ort-run.js';

/** Person score the gate counts as a detection, and the slack below it that still excuses an INT8-only box. */
export const PERSON_SCORE = 0.4;
const SPURIOUS_SLACK = 0.15;
/**
 * An INT8-only box is a new (spurious) object only where FP32 saw nothing overlapping it by this much. In a tight
 * group NMS may keep one more or one fewer overlapping box; that is not a new person.
 */
const SPURIOUS_IOU = 0.3;
export const MATCH_IOU = 0.8;

export interface Scored {
  readonly score: number;
  readonly box: Box;
}

export async function runOutputs(session: InferenceSession, outputs: readonly ValueInfo[], data: Float32Array, shape: readonly number[]): Promise<ModelOutputs> {
  const values = await runSession(session, data, shape);
  return new Map(outputs.map((o, k) => [o.name, { data: values[k] ?? new Float32Array(), dims: o.dims ?? [] }]));
}

/** Persons (class 0) at or above `minScore`, after per-class NMS at IoU 0.5; boxes in input pixels. */
export function persons(outputs: ModelOutputs, size: { readonly width: number; readonly height: number }, minScore: number): Scored[] {
  const minScores = new Float32Array(80).fill(Number.POSITIVE_INFINITY);
  minScores[0] = minScore;
  return nmsPerClass(decodeNanoDet(outputs, { inputWidth: size.width, inputHeight: size.height, minScores }), 0.5);
}

export function faces(outputs: ModelOutputs, size: number, minScore: number): Scored[] {
  return nms(decodeBlazeFace(outputs, size, minScore), 0.3);
}

export interface MatchResult {
  readonly reference: number;
  readonly matched: number;
  readonly spurious: number;
}

/**
 * Greedy one-to-one matching of candidate boxes to reference boxes at IoU >= `minIou`. A candidate counts as
 * spurious only when no reference box, even one scored somewhat below the threshold, overlaps it (SPURIOUS_IOU).
 */
export function matchBoxes(reference: readonly Scored[], candidates: readonly Scored[], weakReference: readonly Scored[], minIou: number): MatchResult {
  const free = [...candidates];
  let matched = 0;
  for (const ref of reference) {
    let best = -1;
    let bestIou = minIou;
    free.forEach((c, i) => {
      const overlap = iou(ref.box, c.box);
      if (overlap >= bestIou) {
        best = i;
        bestIou = overlap;
      }
    });
    if (best >= 0) {
      matched += 1;
      free.splice(best, 1);
    }
  }
  const spurious = free.filter((c) => !weakReference.some((r) => iou(r.box, c.box) >= SPURIOUS_IOU)).length;
  return { reference: reference.length, matched, spurious };
}

export function sumMatches(results: readonly MatchResult[]): MatchResult {
  return results.reduce((a, b) => ({ reference: a.reference + b.reference, matched: a.matched + b.matched, spurious: a.spurious + b.spurious }), { reference: 0, matched: 0, spurious: 0 });
}

/** Compares person detections of two sessions of the same detector on the same inputs. */
export async function comparePersons(
  reference: InferenceSession,
  candidate: InferenceSession,
  outputs: readonly ValueInfo[],
  inputs: readonly Float32Array[],
  shape: readonly number[],
  size: { readonly width: number; readonly height: number },
): Promise<MatchResult> {
  const results: MatchResult[] = [];
  for (const data of inputs) {
    const refOut = await runOutputs(reference, outputs, data, shape);
    const candOut = await runOutputs(candidate, outputs, data, shape);
    results.push(matchBoxes(persons(refOut, size, PERSON_SCORE), persons(candOut, size, PERSON_SCORE), persons(refOut, size, PERSON_SCORE - SPURIOUS_SLACK), MATCH_IOU));
  }
  return sumMatches(results);
}

export async function compareFaces(
  reference: InferenceSession,
  candidate: InferenceSession,
  outputs: readonly ValueInfo[],
  inputs: readonly Float32Array[],
  shape: readonly number[],
  size: number,
  minScore: number,
): Promise<MatchResult> {
  const results: MatchResult[] = [];
  for (const data of inputs) {
    const refOut = await runOutputs(reference, outputs, data, shape);
    const candOut = await runOutputs(candidate, outputs, data, shape);
    results.push(matchBoxes(faces(refOut, size, minScore), faces(candOut, size, minScore), faces(refOut, size, minScore - SPURIOUS_SLACK), 0.5));
  }
  return sumMatches(results);
}

/** Cosine similarity of the two sessions' embeddings per input (the outputs are L2-normalized, but normalize anyway). */
export async function embeddingCosines(reference: InferenceSession, candidate: InferenceSession, inputs: readonly Float32Array[], shape: readonly number[]): Promise<number[]> {
  const cosines: number[] = [];
  for (const data of inputs) {
    const [a] = await runSession(reference, data, shape);
    const [b] = await runSession(candidate, data, shape);
    if (!a || !b) throw new Error('embedder returned no output');
    cosines.push(cosine(a, b));
  }
  return cosines;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i += 1) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}
