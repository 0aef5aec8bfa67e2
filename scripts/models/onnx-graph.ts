/**
 * The in-memory ONNX graph the converter writes and the quantizer rewrites before it is serialized by onnx-proto.ts.
 * Plain mutable data on purpose: graph passes edit node lists in place.
 */

export type DataType = 'float32' | 'uint8' | 'int8' | 'int32' | 'int64';

export type TensorData = Float32Array | Uint8Array | Int8Array | Int32Array | BigInt64Array;

export interface OnnxTensor {
  readonly name: string;
  readonly dataType: DataType;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

export type Attr =
  | { readonly i: number }
  | { readonly f: number }
  | { readonly s: string }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] };

export interface OnnxNode {
  name: string;
  opType: string;
  domain?: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, Attr>;
}

export interface ValueInfo {
  readonly name: string;
  readonly dataType: DataType;
  /** Omitted for tensors exposed only for calibration, whose shapes the writer need not know. */
  readonly dims?: readonly number[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

/** Opset 13 is the oldest with Split/ReduceSum/Squeeze taking their axes as inputs and per-axis QuantizeLinear. */
export const OPSET = 13;

export function float32Tensor(name: string, dims: readonly number[], data: Float32Array | readonly number[]): OnnxTensor {
  return { name, dataType: 'float32', dims, data: data instanceof Float32Array ? data : Float32Array.from(data) };
}

export function int64Tensor(name: string, values: readonly number[]): OnnxTensor {
  return { name, dataType: 'int64', dims: [values.length], data: BigInt64Array.from(values.map((v) => BigInt(v))) };
}

/** Hands out graph-unique names so passes can add nodes and tensors without collisions. */
export class NameScope {
  private readonly used = new Set<string>();

  constructor(graph?: OnnxGraph) {
    if (!graph) return;
    for (const node of graph.nodes) {
      this.used.add(node.name);
      for (const name of node.outputs) this.used.add(name);
    }
    for (const name of graph.initializers.keys()) this.used.add(name);
    for (const info of graph.inputs) this.used.add(info.name);
  }

  unique(base: string): string {
    let name = base;
    for (let n = 1; this.used.has(name); n += 1) name = `${base}_${String(n)}`;
    this.used.add(name);
    return name;
  }
}

/** Producer node of every tensor and the consumers of every tensor, for pattern matching in passes. */
export function graphIndex(graph: OnnxGraph): { producer: Map<string, OnnxNode>; consumers: Map<string, OnnxNode[]> } {
  const producer = new Map<string, OnnxNode>();
  const consumers = new Map<string, OnnxNode[]>();
  for (const node of graph.nodes) {
    for (const name of node.outputs) producer.set(name, node);
    for (const name of node.inputs) {
      if (name === '') continue;
      const list = consumers.get(name) ?? [];
      list.push(node);
      consumers.set(name, list);
    }
  }
  return { producer, consumers };
}

/** A copy whose node list and nodes can be edited without touching the original (tensors are shared, never mutated). */
export function cloneGraph(graph: OnnxGraph): OnnxGraph {
  return {
    name: graph.name,
    nodes: graph.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } })),
    initializers: new Map(graph.initializers),
    inputs: [...graph.inputs],
    outputs: [...graph.outputs],
  };
}

export function attrInts(node: OnnxNode, key: string): number[] | undefined {
  const attr = node.attrs[key];
  return attr && 'ints' in attr ? [...attr.ints] : undefined;
}

export function opCounts(graph: OnnxGraph): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const node of graph.nodes) counts[node.opType] = (counts[node.opType] ?? 0) + 1;
  return counts;
}
