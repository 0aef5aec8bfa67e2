import type { OnnxGraph } from './onnx-graph.js';
import { cloneGraph } from './onnx-graph.js';
import { encodeModel } from './onnx-proto.js';
import { openSession } from './ort-run.js';
import * as ort from 'onnxruntime-node';

export interface Range {
  readonly min: number;
  readonly max: number;
}

/**
 * Observed min/max of every float activation over the calibration inputs (MinMax calibration). The float graph is
 * run with every node output exposed as a graph output and ORT's optimizations off, so each tensor is seen as written.
 */
export async function calibrateRanges(graph: OnnxGraph, inputs: readonly Float32Array[]): Promise<Map<string, Range>> {
  const probe = cloneGraph(graph);
  const exposed = new Set(graph.outputs.map((o) => o.name));
  for (const node of graph.nodes) {
    for (const name of node.outputs) {
      if (exposed.has(name)) continue;
      exposed.add(name);
      probe.outputs.push({ name, dataType: 'float32' });
    }
  }
  const session = await openSession(encodeModel(probe), { threads: 2, optimization: 'disabled' });
  const ranges = new Map<string, Range>();
  const shape = graph.inputs[0]?.dims ?? [];
  const widen = (name: string, data: ArrayLike<number>): void => {
    let { min, max } = ranges.get(name) ?? { min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
    for (let i = 0; i < data.length; i += 1) {
      const v = data[i] ?? 0;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    ranges.set(name, { min, max });
  };
  try {
    for (const data of inputs) {
      const results = await session.run({ [session.inputNames[0] ?? 'input']: new ort.Tensor('float32', data, shape) });
      widen(session.inputNames[0] ?? 'input', data);
      for (const [name, tensor] of Object.entries(results)) if (tensor.data instanceof Float32Array) widen(name, tensor.data);
    }
  } finally {
    await session.release();
  }
  return ranges;
}
