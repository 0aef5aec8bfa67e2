import type { OnnxGraph, OnnxNode } from './onnx-graph.js';
import { attrInts, graphIndex } from './onnx-graph.js';

/**
 * Folds a zero Pad on the spatial axes into the Conv that consumes it (TF exports "pad then VALID conv"), and a Pad
 * filled with -inf-like values into a MaxPool, whose own padding never wins a max. Fewer nodes, and no float Pad
 * between quantized convolutions.
 */
export function foldPads(graph: OnnxGraph): number {
  const { consumers } = graphIndex(graph);
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const removed = new Set<OnnxNode>();
  for (const node of graph.nodes) {
    if (node.opType !== 'Pad') continue;
    const [, padsName, valueName] = node.inputs;
    const out = node.outputs[0] ?? '';
    const users = consumers.get(out) ?? [];
    const user = users[0];
    if (users.length !== 1 || !user || outputs.has(out) || user.inputs[0] !== out) continue;
    const pads = constantInts(graph, padsName);
    const fill = constantFloat(graph, valueName);
    if (!pads || pads.length !== 8 || fill === undefined) continue;
    const [n0, c0, t, l, n1, c1, b, r] = pads;
    if (n0 !== 0 || c0 !== 0 || n1 !== 0 || c1 !== 0) continue;
    const fits = (user.opType === 'Conv' && fill === 0) || (user.opType === 'MaxPool' && fill <= -3e38);
    if (!fits) continue;
    const own = attrInts(user, 'pads') ?? [0, 0, 0, 0];
    const extra = [t, l, b, r].map((p) => p ?? 0);
    user.attrs.pads = { ints: own.map((p, i) => p + (extra[i] ?? 0)) };
    user.inputs[0] = node.inputs[0] ?? '';
    removed.add(node);
  }
  graph.nodes = graph.nodes.filter((n) => !removed.has(n));
  dropUnusedInitializers(graph);
  return removed.size;
}

export function dropUnusedInitializers(graph: OnnxGraph): void {
  const used = new Set(graph.nodes.flatMap((n) => n.inputs));
  for (const name of [...graph.initializers.keys()]) if (!used.has(name)) graph.initializers.delete(name);
}

function constantInts(graph: OnnxGraph, name: string | undefined): number[] | undefined {
  const tensor = name === undefined ? undefined : graph.initializers.get(name);
  if (tensor?.data instanceof BigInt64Array) return Array.from(tensor.data, Number);
  return undefined;
}

function constantFloat(graph: OnnxGraph, name: string | undefined): number | undefined {
  if (name === undefined) return 0;
  const tensor = graph.initializers.get(name);
  return tensor?.data instanceof Float32Array && tensor.data.length === 1 ? tensor.data[0] : undefined;
}

/** A per-output-channel (or scalar) constant operand of `node` applied to the output of a Conv it is the only reader of. */
interface ChannelConstant {
  readonly conv: OnnxNode;
  readonly values: (channel: number) => number;
  readonly channels: number;
}

function convChannelConstant(graph: OnnxGraph, node: OnnxNode, producer: ReadonlyMap<string, OnnxNode>, consumers: ReadonlyMap<string, OnnxNode[]>, outputs: ReadonlySet<string>): ChannelConstant | undefined {
  const constIndex = node.inputs.findIndex((n) => graph.initializers.has(n));
  const tensorName = node.inputs[1 - constIndex] ?? '';
  const constant = graph.initializers.get(node.inputs[constIndex] ?? '');
  const conv = producer.get(tensorName);
  if (constIndex < 0 || !constant || !(constant.data instanceof Float32Array) || conv?.opType !== 'Conv') return undefined;
  if ((consumers.get(tensorName) ?? []).length !== 1 || outputs.has(tensorName)) return undefined;
  const channels = graph.initializers.get(conv.inputs[1] ?? '')?.dims[0] ?? 0;
  const data = constant.data;
  const perChannel = data.length === channels && constant.dims.filter((d) => d !== 1).length <= 1 && (constant.dims.length < 3 || constant.dims.at(-3) === channels);
  if (!perChannel && data.length !== 1) return undefined;
  return { conv, channels, values: (c) => data[perChannel ? c : 0] ?? 0 };
}

/**
 * Removes each `opType` node that applies a per-channel constant to a Conv it alone reads, after `fold` has taken the
 * constant into the Conv's initializers (fold returns false to leave a node alone).
 */
function foldIntoConv(graph: OnnxGraph, opType: 'Add' | 'Mul', fold: (found: ChannelConstant) => boolean): number {
  const { producer, consumers } = graphIndex(graph);
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const removed = new Set<OnnxNode>();
  for (const node of graph.nodes) {
    if (node.opType !== opType) continue;
    const found = convChannelConstant(graph, node, producer, consumers, outputs);
    if (!found || !fold(found)) continue;
    found.conv.outputs[0] = node.outputs[0] ?? '';
    removed.add(node);
  }
  graph.nodes = graph.nodes.filter((n) => !removed.has(n));
  dropUnusedInitializers(graph);
  return removed.size;
}

/**
 * Folds Add(Conv(x), c) into the Conv's bias when c is a per-output-channel constant. nanodet's export keeps every
 * bias as a separate Add; left alone each would run in float between two quantized convolutions.
 */
export function foldBiasAdds(graph: OnnxGraph): number {
  return foldIntoConv(graph, 'Add', ({ conv, channels, values }) => {
    const existing = graph.initializers.get(conv.inputs[2] ?? '');
    const bias = new Float32Array(channels);
    for (let c = 0; c < channels; c += 1) bias[c] = (existing?.data instanceof Float32Array ? existing.data[c] ?? 0 : 0) + values(c);
    const biasName = `${conv.name}/bias`;
    graph.initializers.set(biasName, { name: biasName, dataType: 'float32', dims: [channels], data: bias });
    conv.inputs[2] = biasName;
    return true;
  });
}

/**
 * Folds Mul(Conv(x), c) into the Conv's weights and bias when c is a per-output-channel constant: faceres keeps each
 * depthwise batch norm as a Mul and an Add after the convolution.
 */
export function foldScaleMuls(graph: OnnxGraph): number {
  return foldIntoConv(graph, 'Mul', ({ conv, channels, values }) => {
    const weight = graph.initializers.get(conv.inputs[1] ?? '');
    if (!(weight?.data instanceof Float32Array)) return false;
    const per = weight.data.length / channels;
    const weightName = `${conv.name}/W_scaled`;
    graph.initializers.set(weightName, { ...weight, name: weightName, data: Float32Array.from(weight.data, (w, i) => w * values(Math.floor(i / per))) });
    conv.inputs[1] = weightName;
    const bias = graph.initializers.get(conv.inputs[2] ?? '');
    if (bias?.data instanceof Float32Array) {
      const biasName = `${conv.name}/bias_scaled`;
      graph.initializers.set(biasName, { ...bias, name: biasName, data: Float32Array.from(bias.data, (v, c) => v * values(c)) });
      conv.inputs[2] = biasName;
    }
    return true;
  });
}

/**
 * Keras' ReLU6 as exported by TF, Max(Min(Relu(x), 6), 0), becomes one Clip(0, 6) (the Max is a no-op after the Relu),
 * which the quantizer then folds into the convolution before it.
 */
export function fuseRelu6(graph: OnnxGraph): number {
  const { producer, consumers } = graphIndex(graph);
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const removed = new Set<OnnxNode>();
  const only = (tensor: string): boolean => (consumers.get(tensor) ?? []).length === 1 && !outputs.has(tensor);
  const bound = (node: OnnxNode): number | undefined => {
    const constant = node.inputs.map((n) => graph.initializers.get(n)).find((t) => t !== undefined);
    return node.inputs.length === 2 && constant?.data instanceof Float32Array && constant.data.length === 1 ? constant.data[0] : undefined;
  };
  for (const max of graph.nodes) {
    if (max.opType !== 'Max' || bound(max) !== 0) continue;
    const min = producer.get(max.inputs.find((n) => !graph.initializers.has(n)) ?? '');
    if (min?.opType !== 'Min' || bound(min) !== 6 || !only(min.outputs[0] ?? '')) continue;
    const relu = producer.get(min.inputs.find((n) => !graph.initializers.has(n)) ?? '');
    if (relu?.opType !== 'Relu' || !only(relu.outputs[0] ?? '')) continue;
    const lo = `${relu.name}/clip_min`;
    const hi = `${relu.name}/clip_max`;
    graph.initializers.set(lo, { name: lo, dataType: 'float32', dims: [], data: Float32Array.of(0) });
    graph.initializers.set(hi, { name: hi, dataType: 'float32', dims: [], data: Float32Array.of(6) });
    relu.opType = 'Clip';
    relu.inputs = [relu.inputs[0] ?? '', lo, hi];
    relu.outputs = [...max.outputs];
    removed.add(min);
    removed.add(max);
  }
  graph.nodes = graph.nodes.filter((n) => !removed.has(n));
  dropUnusedInitializers(graph);
  return removed.size / 2;
}
