import type * as tf from '@tensorflow/tfjs';
import type { Attr, OnnxGraph, OnnxNode, OnnxTensor } from './onnx-graph.js';
import { NameScope } from './onnx-graph.js';
import { OP_HANDLERS } from './convert-ops.js';
import { identityPerm, permuteDims, samePerm, transposeBetween, transposeData } from './layout.js';
import type { TfGraph, TfNode } from './tfjs-graph.js';
import { nodeOf } from './tfjs-graph.js';

/** A converted TF tensor: an ONNX tensor plus the perm it is stored in (see layout.ts), or a build-time constant. */
export type Value = TensorValue | ConstValue;

export interface TensorValue {
  readonly kind: 'tensor';
  readonly name: string;
  readonly perm: readonly number[];
  /** TF shape (not the stored ONNX shape). */
  readonly shape: readonly number[];
}

export interface ConstValue {
  readonly kind: 'const';
  readonly dtype: 'float32' | 'int32';
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

/** What an op handler sees: its TF node, its converted inputs, and ways to add ONNX nodes and initializers. */
export interface OpContext {
  readonly node: TfNode;
  input(i: number): Value;
  tensor(i: number): TensorValue;
  constant(i: number): ConstValue;
  /** TF shape of output k, from the trace. */
  outShape(k?: number): number[];
  /** The TF node producing input ref `ref`, for pattern matching (PReLU). */
  producer(ref: string): TfNode | undefined;
  resolve(ref: string): Value;
  /** Adds one ONNX node and returns its output names. */
  emit(opType: string, inputs: readonly string[], attrs?: Record<string, Attr>, outputs?: number): string[];
  /** The value stored with `perm` (a Transpose when a tensor is stored otherwise; a re-laid-out initializer for a constant). */
  layout(value: Value, perm: readonly number[]): string;
  initializer(tensor: Omit<OnnxTensor, 'name'>, base: string): string;
}

export type OpHandler = (ctx: OpContext) => Value[];

/**
 * Converts a traced TF.js graph into an ONNX graph with input `input` and outputs `output0..` in `graph.outputNames` order.
 * Walks backwards from the outputs, so nodes that no output needs (e.g. the Relu/Abs/Sub of a recognized PReLU) vanish.
 */
export function convertTfGraph(graph: TfGraph, traced: ReadonlyMap<string, tf.Tensor>, name: string): OnnxGraph {
  const onnx: OnnxGraph = { name, nodes: [], initializers: new Map(), inputs: [], outputs: [] };
  const names = new NameScope();
  names.unique('input');
  const values = new Map<string, Value>();
  const constantNodes = new Map<string, boolean>();
  const transposed = new Map<string, string>();

  const isConstant = (node: TfNode): boolean => {
    const known = constantNodes.get(node.name);
    if (known !== undefined) return known;
    const result =
      node.op === 'Const' ||
      (node.op !== 'Placeholder' && node.inputs.length > 0 && node.inputs.every((ref) => isConstant(nodeFor(ref))));
    constantNodes.set(node.name, result);
    return result;
  };

  const nodeFor = (ref: string): TfNode => {
    const node = graph.nodes.get(nodeOf(ref));
    if (!node) throw new Error(`${name}: tensor ${ref} has no producing node`);
    return node;
  };

  const tracedValue = (ref: string): tf.Tensor => {
    const value = traced.get(ref);
    if (!value) throw new Error(`${name}: no traced value for ${ref}`);
    return value;
  };

  const constantOf = (ref: string): ConstValue => {
    const value = tracedValue(ref);
    const data = value.dataSync();
    if (data instanceof Float32Array) return { kind: 'const', dtype: 'float32', shape: value.shape, data };
    if (data instanceof Int32Array) return { kind: 'const', dtype: 'int32', shape: value.shape, data };
    return { kind: 'const', dtype: 'int32', shape: value.shape, data: Int32Array.from(data, Number) };
  };

  const initializer = (tensor: Omit<OnnxTensor, 'name'>, base: string): string => {
    const unique = names.unique(base);
    onnx.initializers.set(unique, { ...tensor, name: unique });
    return unique;
  };

  const emit = (node: TfNode, opType: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, outputs = 1): string[] => {
    const base = `${node.name}/${opType}`;
    const outs = Array.from({ length: outputs }, (_, k) => names.unique(outputs === 1 ? base : `${base}:${String(k)}`));
    const onnxNode: OnnxNode = { name: names.unique(`${base}#node`), opType, inputs: [...inputs], outputs: outs, attrs };
    onnx.nodes.push(onnxNode);
    return outs;
  };

  const layout = (node: TfNode, value: Value, perm: readonly number[]): string => {
    if (value.kind === 'const') {
      const rank = perm.length;
      if (value.shape.length === 0 || value.data.length === 1 && value.shape.length < rank) {
        return initializer({ dataType: value.dtype, dims: value.shape.length === 0 ? [] : new Array<number>(rank).fill(1), data: value.data }, `${node.name}/const`);
      }
      const dims = [...new Array<number>(rank - value.shape.length).fill(1), ...value.shape];
      const data = transposeData(value.data, dims, perm);
      return initializer({ dataType: value.dtype, dims: permuteDims(dims, perm), data }, `${node.name}/const`);
    }
    if (samePerm(value.perm, perm)) return value.name;
    const key = `${value.name}|${perm.join(',')}`;
    const cached = transposed.get(key);
    if (cached !== undefined) return cached;
    const [out] = emit(node, 'Transpose', [value.name], { perm: { ints: transposeBetween(value.perm, perm) } });
    if (out === undefined) throw new Error('unreachable');
    transposed.set(key, out);
    return out;
  };

  const resolve = (ref: string): Value => {
    const known = values.get(ref);
    if (known) return known;
    const node = nodeFor(ref);
    if (node.op === 'Placeholder') {
      const value: Value = { kind: 'tensor', name: 'input', perm: identityPerm(graph.inputShape.length), shape: graph.inputShape };
      values.set(ref, value);
      return value;
    }
    if (isConstant(node)) {
      const value = constantOf(ref);
      values.set(ref, value);
      return value;
    }
    const handler = OP_HANDLERS[node.op];
    if (!handler) throw new Error(`${name}: no ONNX mapping for TF op ${node.op} (node ${node.name})`);
    const ctx: OpContext = {
      node,
      input: (i) => resolve(inputRef(node, i)),
      tensor: (i) => {
        const value = resolve(inputRef(node, i));
        if (value.kind !== 'tensor') throw new Error(`${node.name}: input ${String(i)} must depend on the model input`);
        return value;
      },
      constant: (i) => {
        const value = resolve(inputRef(node, i));
        if (value.kind !== 'const') throw new Error(`${node.name}: input ${String(i)} must be constant`);
        return value;
      },
      outShape: (k = 0) => tracedValue(`${node.name}:${String(k)}`).shape,
      producer: (r) => graph.nodes.get(nodeOf(r)),
      resolve,
      emit: (opType, inputs, attrs, outputs) => emit(node, opType, inputs, attrs, outputs),
      layout: (value, perm) => layout(node, value, perm),
      initializer,
    };
    handler(ctx).forEach((value, k) => values.set(`${node.name}:${String(k)}`, value));
    const result = values.get(ref);
    if (!result) throw new Error(`${node.name}: handler for ${node.op} did not produce ${ref}`);
    return result;
  };

  onnx.inputs.push({ name: 'input', dataType: 'float32', dims: graph.inputShape });
  graph.outputNames.forEach((ref, k) => {
    const value = resolve(ref);
    if (value.kind !== 'tensor') throw new Error(`${name}: output ${ref} is constant`);
    const outputNode = nodeFor(ref);
    const stored = layout(outputNode, value, identityPerm(value.shape.length));
    const outName = `output${String(k)}`;
    const producer = onnx.nodes.find((n) => n.outputs.includes(stored));
    const alreadyOutput = onnx.outputs.some((o) => o.name === stored);
    if (producer && !alreadyOutput && stored !== 'input') renameTensor(onnx, stored, outName);
    else onnx.nodes.push({ name: names.unique(`${outName}#node`), opType: 'Identity', inputs: [stored], outputs: [outName], attrs: {} });
    onnx.outputs.push({ name: outName, dataType: 'float32', dims: value.shape });
  });
  return onnx;
}

function inputRef(node: TfNode, i: number): string {
  const ref = node.inputs[i];
  if (ref === undefined) throw new Error(`${node.name} (${node.op}) has no input ${String(i)}`);
  return ref;
}

function renameTensor(graph: OnnxGraph, from: string, to: string): void {
  for (const node of graph.nodes) {
    node.inputs = node.inputs.map((n) => (n === from ? to : n));
    node.outputs = node.outputs.map((n) => (n === from ? to : n));
  }
}
