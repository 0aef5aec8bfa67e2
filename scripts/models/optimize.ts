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

/**
 * Folds Add(Conv(x), c) into the Conv's bias when c is a per-output-channel constant. nanodet's export keeps every
 * bias as a separate Add; left alone each would run in float between two quantized convolutions.
 */
export function foldBiasAdds(graph: OnnxGraph): number {
  const { producer, consumers } = graphIndex(graph);
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const removed = new Set<OnnxNode>();
  for (const add of graph.nodes) {
    if (add.opType !== 'Add') continue;
    const constIndex = add.inputs.findIndex((n) => graph.initializers.has(n));
    const tensorName = add.inputs[1 - constIndex];
    const constant = graph.initializers.get(add.inputs[constIndex] ?? '');
    const conv = producer.get(tensorName ?? '');
    if (constIndex < 0 || !constant || !(constant.data instanceof Float32Array) || conv?.opType !== 'Conv') continue;
    if ((consumers.get(tensorName ?? '') ?? []).length !== 1 || outputs.has(tensorName ?? '')) continue;
    const weight = graph.initializers.get(conv.inputs[1] ?? '');
    const channels = weight?.dims[0] ?? 0;
    const perChannel = constant.data.length === channels && constant.dims.filter((d) => d !== 1).length <= 1 && (constant.dims.length < 3 || constant.dims.at(-3) === channels);
    if (!perChannel && constant.data.length !== 1) continue;
    const existing = graph.initializers.get(conv.inputs[2] ?? '');
    const bias = new Float32Array(channels);
    for (let c = 0; c < channels; c += 1) bias[c] = (existing?.data instanceof Float32Array ? existing.data[c] ?? 0 : 0) + (constant.data[perChannel ? c : 0] ?? 0);
    const biasName = `${conv.name}/bias`;
    graph.initializers.set(biasName, { name: biasName, dataType: 'float32', dims: [channels], data: bias });
    conv.inputs[2] = biasName;
    conv.outputs[0] = add.outputs[0] ?? '';
    removed.add(add);
  }
  graph.nodes = graph.nodes.filter((n) => !removed.has(n));
  dropUnusedInitializers(graph);
  return removed.size;
}
