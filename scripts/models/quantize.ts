import type { Range } from './calibrate.js';
import type { OnnxGraph, OnnxNode, OnnxTensor } from './onnx-graph.js';
import { cloneGraph, graphIndex, NameScope } from './onnx-graph.js';
import { dropUnusedInitializers } from './optimize.js';

/**
 * Ops onnxruntime's QDQ transformers turn into integer kernels (QLinearConv, QLinearAdd/Mul, QLinearConcat,
 * QLinearSigmoid, QLinearLeakyRelu) or run directly on uint8 (MaxPool, Resize).
 */
const COMPUTE_OPS = new Set(['Conv', 'Add', 'Mul', 'Concat', 'MaxPool', 'Resize', 'Sigmoid', 'LeakyRelu']);
/** Ops that only move data: quantized only when what they feed is, so a head's output is never squeezed into uint8. */
const MOVEMENT_OPS = new Set(['Split', 'Reshape', 'Transpose']);

export interface QuantizeOptions {
  /** Tensors that stay float (neither quantized nor fed through Q/DQ), e.g. a layer whose range ruins accuracy. */
  readonly floatTensors?: ReadonlySet<string>;
}

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
export function quantizeGraph(float: OnnxGraph, ranges: ReadonlyMap<string, Range>, options: QuantizeOptions = {}): { graph: OnnxGraph; report: QuantizeReport } {
  const graph = cloneGraph(float);
  const names = new NameScope(graph);
  const floatTensors = options.floatTensors ?? new Set<string>();
  const foldedActivations = foldActivations(graph);
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
   * span +-10^4 around faces at ~2, which uint8 cannot hold.
   */
  const wantsQuantized = (tensor: string): boolean => {
    const known = decided.get(tensor);
    if (known !== undefined) return known;
    let result = false;
    if (!graph.initializers.has(tensor) && !outputs.has(tensor) && !floatTensors.has(tensor) && ranges.has(tensor)) {
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
    const params = uint8Params(range);
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
    const { values, scales: channelScales } = int8PerChannel(weight.data, weight.dims[0] ?? 1);
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
  return { graph, report: { quantizedTensors: scales.size, quantizedWeights, foldedActivations } };
}

function foldActivations(graph: OnnxGraph): number {
  const { consumers } = graphIndex(graph);
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const removed = new Set<OnnxNode>();
  for (const node of graph.nodes) {
    if (node.opType !== 'Conv') continue;
    const out = node.outputs[0] ?? '';
    const users = consumers.get(out) ?? [];
    const act = users[0];
    if (users.length !== 1 || !act || outputs.has(out)) continue;
    const isRelu = act.opType === 'Relu';
    const isRelu6 = act.opType === 'Clip' && constantValue(graph, act.inputs[1]) === 0;
    if (!isRelu && !isRelu6) continue;
    node.outputs[0] = act.outputs[0] ?? out;
    removed.add(act);
  }
  graph.nodes = graph.nodes.filter((n) => !removed.has(n));
  return removed.size;
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
 * Largest weight magnitude used. 7-bit weights ("reduce range"): onnxruntime's u8s8 kernels on AVX2 without VNNI add
 * pairs of uint8 x int8 products in int16 (vpmaddubsw), which saturates with full-range weights (2 x 255 x 127 > 32767)
 * and silently corrupts QLinearConv results; 2 x 255 x 63 stays within int16.
 */
export const WEIGHT_LEVELS = 63;

/** Symmetric int8 per output channel (axis 0): scale = max |w| / WEIGHT_LEVELS, zero point 0. */
export function int8PerChannel(weights: Float32Array, channels: number): { values: Int8Array; scales: number[] } {
  const per = weights.length / channels;
  const values = new Int8Array(weights.length);
  const scales: number[] = [];
  for (let c = 0; c < channels; c += 1) {
    let maxAbs = 0;
    for (let i = c * per; i < (c + 1) * per; i += 1) maxAbs = Math.max(maxAbs, Math.abs(weights[i] ?? 0));
    const scale = Math.fround(maxAbs > 0 ? maxAbs / WEIGHT_LEVELS : 1);
    scales.push(scale);
    for (let i = c * per; i < (c + 1) * per; i += 1) values[i] = Math.max(-WEIGHT_LEVELS, Math.min(WEIGHT_LEVELS, Math.round((weights[i] ?? 0) / scale)));
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
