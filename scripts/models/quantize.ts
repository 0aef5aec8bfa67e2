import type { Range } from './calibrate.js';
import type { OnnxGraph, OnnxNode, OnnxTensor } from './onnx-graph.js';
import { cloneGraph, graphIndex, NameScope } from './onnx-graph.js';
import { dropUnusedInitializers } from './optimize.js';

/**
 * Ops onnxruntime's QDQ transformers turn into integer kernels (QLinearConv, QLinearAdd/Mul, QLinearConcat,
 * QLinearSigmoid, QLinearLeakyRelu) or run directly on uint8 (MaxPool, Resize).
 */
const COMPUTE_OPS = new Set(['Conv', 'Add', 'Mul', 'Concat', 'MaxPool', 'Resize', 'Sigmoid', 'LeakyRelu']);
/**
 * Ops whose output never leaves its input's range (a window's max; a convex combination): their output reuses the
 * input's quantization, so onnxruntime drops the DQ/Q pair and runs them on uint8 instead of in float between a
 * DequantizeLinear and a QuantizeLinear (nanodet's MaxPool cost 2.6 ms that way).
 */
const RANGE_KEEPING_OPS = new Set(['MaxPool', 'Resize']);
const keepsRange = (node: OnnxNode | undefined): boolean => {
  if (!node || !RANGE_KEEPING_OPS.has(node.opType)) return false;
  // Cubic resizing overshoots its input; linear and nearest do not.
  const mode = node.attrs.mode;
  return node.opType !== 'Resize' || mode === undefined || ('s' in mode && (mode.s === 'linear' || mode.s === 'nearest'));
};
/** Ops that only move data: quantized only when what they feed is, so a head's output is never squeezed into uint8. */
const MOVEMENT_OPS = new Set(['Split', 'Reshape', 'Transpose']);

export interface QuantizeReport {
  readonly quantizedTensors: number;
  readonly quantizedWeights: number;
  readonly foldedActivations: number;
}

/**
 * QDQ INT8: per-channel symmetric int8 weights (and int32 biases at input scale x weight scale) for every Conv,
 * per-tensor asymmetric uint8 activations from calibrated ranges. A Relu/Clip that is the only consumer of a Conv is
 * folded into the Conv's output quantization: quantizing the Relu's range [0, max] clamps exactly as the Relu would.
 */
export function quantizeGraph(float: OnnxGraph, ranges: ReadonlyMap<string, Range>): { graph: OnnxGraph; report: QuantizeReport } {
  const graph = cloneGraph(float);
  const names = new NameScope(graph);
  const folded = foldActivations(graph);
  const { producer, consumers } = graphIndex(graph);
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const scales = new Map<string, { scale: number; zeroPoint: number }>();
  const dequantizedScales = new Map<string, { scale: number; zeroPoint: number }>();
  const added: OnnxNode[] = [];

  const decided = new Map<string, boolean>();
  /**
   * A tensor is quantized when a compute op reads it, or a data-movement op reads it whose output is quantized, or a
   * compute op writes it and something other than data movement reads it (so QLinearConv can fuse its output Q).
   * A head whose output only flows through Reshape/Transpose to a graph output stays float: blazeface's score logits
   * span +-10^4 around faces at ~2, which uint8 cannot hold. A folded Relu/Clip's output is always quantized: its
   * quantization is the clamp (faceres' last ReLU6 feeds only a Transpose into the pooling).
   */
  const wantsQuantized = (tensor: string): boolean => {
    const known = decided.get(tensor);
    if (known !== undefined) return known;
    let result = false;
    if (folded.has(tensor) && ranges.has(tensor)) result = true;
    else if (!graph.initializers.has(tensor) && !outputs.has(tensor) && ranges.has(tensor)) {
      const users = consumers.get(tensor) ?? [];
      const fromCompute = COMPUTE_OPS.has(producer.get(tensor)?.opType ?? '');
      result =
        users.some((c) => COMPUTE_OPS.has(c.opType)) ||
        users.some((c) => MOVEMENT_OPS.has(c.opType) && c.outputs.some((o) => wantsQuantized(o))) ||
        (fromCompute && users.some((c) => !MOVEMENT_OPS.has(c.opType)));
    }
    decided.set(tensor, result);
    return result;
  };

  const tensors = [graph.inputs[0]?.name ?? 'input', ...graph.nodes.flatMap((n) => n.outputs)];
  for (const tensor of tensors) {
    if (!wantsQuantized(tensor)) continue;
    const range = ranges.get(tensor);
    if (!range) continue;
    const producerNode = producer.get(tensor);
    // Its input was rewired to the DequantizeLinear output by the time its own output comes up.
    const inherited = keepsRange(producerNode) ? dequantizedScales.get(producerNode?.inputs[0] ?? '') : undefined;
    const params = inherited ?? uint8Params(range);
    const quantized = names.unique(`${tensor}/q`);
    const dequantized = names.unique(`${tensor}/dq`);
    scales.set(tensor, params);
    dequantizedScales.set(dequantized, params);
    const scaleName = addInitializer(graph, names, { name: `${tensor}/scale`, dataType: 'float32', dims: [], data: Float32Array.of(params.scale) });
    const zeroName = addInitializer(graph, names, { name: `${tensor}/zero_point`, dataType: 'uint8', dims: [], data: Uint8Array.of(params.zeroPoint) });
    for (const consumer of consumers.get(tensor) ?? []) consumer.inputs = consumer.inputs.map((n) => (n === tensor ? dequantized : n));
    added.push(
      { name: names.unique(`${tensor}/QuantizeLinear`), opType: 'QuantizeLinear', inputs: [tensor, scaleName, zeroName], outputs: [quantized], attrs: {} },
      { name: names.unique(`${tensor}/DequantizeLinear`), opType: 'DequantizeLinear', inputs: [quantized, scaleName, zeroName], outputs: [dequantized], attrs: {} },
    );
  }

  let quantizedWeights = 0;
  for (const node of graph.nodes) {
    if (node.opType !== 'Conv') continue;
    const [x, w, b] = node.inputs;
    const weight = w === undefined ? undefined : graph.initializers.get(w);
    const inputScale = dequantizedScales.get(x ?? '');
    if (!weight || !(weight.data instanceof Float32Array) || !inputScale) continue;
    const { values, scales: channelScales } = int8PerChannel(weight.data, weight.dims[0] ?? 1, weightLevels(node, weight.dims));
    node.inputs[1] = dequantizeConstant(graph, names, added, { name: `${weight.name}/int8`, dataType: 'int8', dims: weight.dims, data: values }, channelScales, new Int8Array(channelScales.length));
    const bias = b === undefined ? undefined : graph.initializers.get(b);
    if (bias?.data instanceof Float32Array) {
      const biasScales = channelScales.map((s) => s * inputScale.scale);
      const q = Int32Array.from(bias.data, (v, i) => Math.round(v / (biasScales[i] ?? 1)));
      node.inputs[2] = dequantizeConstant(graph, names, added, { name: `${bias.name}/int32`, dataType: 'int32', dims: bias.dims, data: q }, biasScales, new Int32Array(biasScales.length));
    }
    quantizedWeights += 1;
  }

  graph.nodes = topologicalOrder([...graph.nodes, ...added], graph);
  dropUnusedInitializers(graph);
  return { graph, report: { quantizedTensors: scales.size, quantizedWeights, foldedActivations: folded.size } };
}

/** Folds each Relu/Clip(0, max) that alone reads a Conv into it; returns the tensors whose quantization must clamp. */
function foldActivations(graph: OnnxGraph): Set<string> {
  const { consumers } = graphIndex(graph);
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const removed = new Set<OnnxNode>();
  const folded = new Set<string>();
  for (const node of graph.nodes) {
    if (node.opType !== 'Conv') continue;
    const out = node.outputs[0] ?? '';
    const users = consumers.get(out) ?? [];
    const act = users[0];
    if (users.length !== 1 || !act || outputs.has(out) || outputs.has(act.outputs[0] ?? '')) continue;
    const isRelu = act.opType === 'Relu';
    const isRelu6 = act.opType === 'Clip' && constantValue(graph, act.inputs[1]) === 0;
    if (!isRelu && !isRelu6) continue;
    node.outputs[0] = act.outputs[0] ?? out;
    folded.add(node.outputs[0]);
    removed.add(act);
  }
  graph.nodes = graph.nodes.filter((n) => !removed.has(n));
  return folded;
}

function constantValue(graph: OnnxGraph, name: string | undefined): number | undefined {
  const tensor = name === undefined ? undefined : graph.initializers.get(name);
  return tensor?.data instanceof Float32Array ? tensor.data[0] : undefined;
}

/** uint8 affine parameters covering the range and exact zero (ONNX requires zero to be representable). */
export function uint8Params(range: Range): { scale: number; zeroPoint: number } {
  const min = Math.min(range.min, 0);
  const max = Math.max(range.max, 0);
  const scale = max > min ? (max - min) / 255 : 1;
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-min / scale)));
  return { scale: Math.fround(scale), zeroPoint };
}

/**
 * How many levels a conv's int8 weights may use, from how onnxruntime's x86 kernels multiply them (AVX2 without VNNI):
 * - GEMM convs (QLinearConv via MLAS u8s8) multiply pairs of adjacent uint8 x int8 products into int16 (vpmaddubsw),
 *   which saturates with full-range weights (2 x 255 x 127 > 32767) and silently corrupts results. A 1x1 conv's GEMM
 *   runs along input channels, so its pairs are known: `pairs` keeps each pair's same-signed sum within 128 levels
 *   (255 x 128 fits int16), nearly 8 bits for most channels. Other GEMM convs use 7 bits ("reduce range":
 *   2 x 255 x 63 fits); ORT packs their weights tap by tap with input channels innermost, so the pair rule could
 *   cover them too, but that is not verified on a model here.
 * - Depthwise convs run MLAS's depthwise kernel, which widens to int32 before multiplying: full 8 bits.
 */
export type WeightLevels = { readonly max: 127 | 63; readonly pairs: boolean };

export function weightLevels(conv: OnnxNode, dims: readonly number[]): WeightLevels {
  const group = conv.attrs.group && 'i' in conv.attrs.group ? conv.attrs.group.i : 1;
  // One input and one output channel per group: only then does MLAS pick its depthwise kernel.
  if (group > 1 && dims[1] === 1 && dims[0] === group) return { max: 127, pairs: false };
  if (group === 1 && dims[2] === 1 && dims[3] === 1) return { max: 127, pairs: true };
  return { max: 63, pairs: false };
}

/**
 * Symmetric int8 per output channel (axis 0), zero point 0: scale = max |w| / levels.max, raised where `pairs` asks
 * until every pair (2k, 2k+1) of same-signed weights sums to at most 128 levels.
 */
export function int8PerChannel(weights: Float32Array, channels: number, levels: WeightLevels): { values: Int8Array; scales: number[] } {
  const per = weights.length / channels;
  const values = new Int8Array(weights.length);
  const scales: number[] = [];
  for (let c = 0; c < channels; c += 1) {
    const from = c * per;
    let limit = 0;
    for (let i = from; i < from + per; i += 1) limit = Math.max(limit, Math.abs(weights[i] ?? 0) / levels.max);
    if (levels.pairs) {
      for (let i = from; i + 1 < from + per; i += 2) {
        const a = weights[i] ?? 0;
        const b = weights[i + 1] ?? 0;
        // Each value rounds up by at most half a level: 127 keeps the rounded pair within 128.
        limit = Math.max(limit, (Math.max(a, 0) + Math.max(b, 0)) / 127, -(Math.min(a, 0) + Math.min(b, 0)) / 127);
      }
    }
    const rounded = Math.fround(limit);
    const scale = rounded > 0 ? rounded : 1;
    scales.push(scale);
    for (let i = from; i < from + per; i += 1) values[i] = Math.max(-levels.max, Math.min(levels.max, Math.round((weights[i] ?? 0) / scale)));
  }
  return { values, scales };
}

function dequantizeConstant(
  graph: OnnxGraph,
  names: NameScope,
  added: OnnxNode[],
  tensor: OnnxTensor,
  scales: readonly number[],
  zeroPoints: Int8Array | Int32Array,
): string {
  const valuesName = addInitializer(graph, names, tensor);
  const scaleName = addInitializer(graph, names, { name: `${tensor.name}/scale`, dataType: 'float32', dims: [scales.length], data: Float32Array.from(scales) });
  const zeroName =
    zeroPoints instanceof Int8Array
      ? addInitializer(graph, names, { name: `${tensor.name}/zero_point`, dataType: 'int8', dims: [zeroPoints.length], data: zeroPoints })
      : addInitializer(graph, names, { name: `${tensor.name}/zero_point`, dataType: 'int32', dims: [zeroPoints.length], data: zeroPoints });
  const out = names.unique(`${tensor.name}/dq`);
  added.push({ name: names.unique(`${tensor.name}/DequantizeLinear`), opType: 'DequantizeLinear', inputs: [valuesName, scaleName, zeroName], outputs: [out], attrs: { axis: { i: 0 } } });
  return out;
}

function addInitializer(graph: OnnxGraph, names: NameScope, tensor: OnnxTensor): string {
  const name = names.unique(tensor.name);
  graph.initializers.set(name, { ...tensor, name });
  return name;
}

/** ONNX requires nodes in topological order; inserted Q/DQ nodes go right where their inputs become available. */
function topologicalOrder(nodes: readonly OnnxNode[], graph: OnnxGraph): OnnxNode[] {
  const available = new Set<string>([...graph.initializers.keys(), ...graph.inputs.map((i) => i.name), '']);
  const pending = [...nodes];
  const ordered: OnnxNode[] = [];
  while (pending.length > 0) {
    const before = pending.length;
    for (let i = 0; i < pending.length; ) {
      const node = pending[i];
      if (node && node.inputs.every((n) => available.has(n))) {
        ordered.push(node);
        for (const out of node.outputs) available.add(out);
        pending.splice(i, 1);
      } else i += 1;
    }
    if (pending.length === before) throw new Error(`graph has a cycle or a missing tensor near ${pending[0]?.name ?? '?'}`);
  }
  return ordered;
}
