import * as tf from '@tensorflow/tfjs';
import type { InferenceSession } from 'onnxruntime-node';
import { runSession } from './ort-run.js';
import type { TfGraph } from './tfjs-graph.js';

export interface OutputDiff {
  readonly output: string;
  readonly maxAbsDiff: number;
  readonly maxAbsReference: number;
}

/** Relative tolerance: outputs agree when max |onnx - tfjs| <= TOLERANCE * max(1, max |tfjs|). */
export const REFERENCE_TOLERANCE = 1e-3;

/**
 * Runs each input through the original graph on tfjs's pure-JS CPU backend and through the ONNX session, and returns
 * the worst absolute difference per output over all inputs.
 */
export async function compareWithReference(graph: TfGraph, session: InferenceSession, inputs: readonly Float32Array[]): Promise<OutputDiff[]> {
  const shape = [...graph.inputShape];
  const worst = graph.outputNames.map((output) => ({ output, maxAbsDiff: 0, maxAbsReference: 0 }));
  for (const data of inputs) {
    const input = tf.tensor(data, shape);
    const result = graph.model.execute({ [graph.inputName]: input }, [...graph.outputNames]);
    const expected = (Array.isArray(result) ? result : [result]).map((t) => t.dataSync());
    tf.dispose([input, ...(Array.isArray(result) ? result : [result])]);
    const actual = await runSession(session, data, shape);
    expected.forEach((reference, k) => {
      const got = actual[k];
      const entry = worst[k];
      if (!got || !entry || got.length !== reference.length) throw new Error(`output ${String(k)}: ONNX has ${String(got?.length)} values, tfjs ${String(reference.length)}`);
      for (let i = 0; i < reference.length; i += 1) {
        const ref = reference[i] ?? 0;
        entry.maxAbsDiff = Math.max(entry.maxAbsDiff, Math.abs(ref - (got[i] ?? 0)));
        entry.maxAbsReference = Math.max(entry.maxAbsReference, Math.abs(ref));
      }
    });
  }
  return worst;
}

export function withinTolerance(diff: OutputDiff): boolean {
  return diff.maxAbsDiff <= REFERENCE_TOLERANCE * Math.max(1, diff.maxAbsReference);
}
