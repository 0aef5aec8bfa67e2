import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** One node of a TF.js graph-model topology, with control inputs dropped and data inputs normalized to `name:index`. */
export interface TfNode {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly string[];
  readonly attr: Readonly<Record<string, TfAttr | undefined>>;
}

interface TfAttr {
  readonly shape?: { readonly dim?: readonly { readonly size: string }[] };
  readonly s?: string;
  readonly i?: string;
  readonly f?: number;
  readonly b?: boolean;
  readonly list?: { readonly i?: readonly string[]; readonly s?: readonly string[]; readonly f?: readonly number[] };
}

interface ModelJson {
  readonly modelTopology: { readonly node: readonly { name: string; op: string; input?: string[]; attr?: Record<string, TfAttr> }[] };
  readonly weightsManifest: readonly { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  readonly signature?: unknown;
  readonly userDefinedMetadata?: Record<string, unknown>;
  readonly convertedBy?: string | null;
  readonly generatedBy?: string | null;
}

/** A loaded graph model: the tfjs executable (the reference runtime) and the topology the converter walks. */
export interface TfGraph {
  readonly model: tf.GraphModel;
  readonly nodes: ReadonlyMap<string, TfNode>;
  readonly inputName: string;
  /** TF shape of the input with an unknown batch fixed to 1. */
  readonly inputShape: readonly number[];
  /** Output tensor names (`node:index`) in `model.outputs` order, which is the order tfjs `execute()` returns. */
  readonly outputNames: readonly string[];
  readonly credits: { readonly convertedBy: string; readonly generatedBy: string };
}

/** `name` and `name:0` mean the same tensor in TF; everything here uses the explicit form. */
export function tensorRef(ref: string): string {
  return /:\d+$/.test(ref) ? ref : `${ref}:0`;
}

export function nodeOf(ref: string): string {
  return ref.replace(/:\d+$/, '');
}

/**
 * Loads a TF.js graph model. With `input` (same rank and layout as the graph's own input) the graph is loaded for
 * that input instead: the placeholder takes the new shape and every ResizeBilinear whose output size is a constant gets
 * that size scaled with the input, which is what a fully convolutional graph frozen at one size (nanodet's FPN/PAN)
 * needs to run at another.
 */
export async function loadTfGraph(jsonPath: string, input?: { readonly shape: readonly number[]; readonly layout: 'NCHW' | 'NHWC' }): Promise<TfGraph> {
  const json = JSON.parse(await readFile(jsonPath, 'utf8')) as ModelJson;
  const shards = await Promise.all(json.weightsManifest.flatMap((group) => group.paths).map((p) => readFile(join(dirname(jsonPath), p))));
  const weights = Buffer.concat(shards);
  const own = placeholderDims(json.modelTopology);
  const reshaped = input !== undefined && own.some((dim, axis) => dim > 0 && dim !== input.shape[axis]) ? input.shape : undefined;
  const topology = reshaped === undefined ? json.modelTopology : placeholderShaped(json.modelTopology, reshaped);
  const signature = reshaped === undefined ? json.signature : signatureShaped(json.signature, reshaped);
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: topology,
      weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      ...(signature === undefined ? {} : { signature }),
      ...(json.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: json.userDefinedMetadata }),
    }),
  );
  const nodes = new Map<string, TfNode>();
  for (const node of topology.node) {
    const inputs = (node.input ?? []).filter((ref) => !ref.startsWith('^')).map(tensorRef);
    nodes.set(node.name, { name: node.name, op: node.op, inputs, attr: node.attr ?? {} });
  }
  const placeholder = model.inputs[0];
  if (!placeholder || model.inputs.length !== 1) throw new Error(`${jsonPath}: expected exactly one input`);
  const shape = (placeholder.shape ?? []).map((d) => (d < 0 ? 1 : d));
  if (reshaped !== undefined && input !== undefined) scaleResizeSizes(model, nodes, { before: own, after: shape, layout: input.layout }, jsonPath);
  return {
    model,
    nodes,
    inputName: placeholder.name,
    inputShape: shape,
    outputNames: model.outputs.map((o) => tensorRef(o.name)),
    credits: { convertedBy: json.convertedBy ?? '', generatedBy: json.generatedBy ?? '' },
  };
}

type Topology = ModelJson['modelTopology'];

/** The placeholder's dimensions, -1 where unknown; empty when the graph does not say. */
function placeholderDims(topology: Topology): number[] {
  const placeholders = topology.node.filter((node) => node.op === 'Placeholder');
  return (placeholders[0]?.attr?.shape?.shape?.dim ?? []).map((d) => Number(d.size));
}

/** The signature with its one input's shape replaced, outputs (and so their order) kept. */
function signatureShaped(signature: unknown, inputShape: readonly number[]): unknown {
  if (typeof signature !== 'object' || signature === null || !('inputs' in signature)) return signature;
  const tensorShape = { dim: inputShape.map((d) => ({ size: String(d) })) };
  const inputs: Record<string, Record<string, unknown>> = {};
  for (const [key, value] of Object.entries(signature.inputs as Record<string, Record<string, unknown>>)) inputs[key] = { ...value, tensorShape };
  return { ...signature, inputs };
}

function placeholderShaped(topology: Topology, inputShape: readonly number[]): Topology {
  const own = placeholderDims(topology);
  if (own.length !== inputShape.length) throw new Error(`input shape [${inputShape.join(',')}] has not the rank of the graph's [${own.join(',')}]`);
  return {
    ...topology,
    node: topology.node.map((node) =>
      node.op === 'Placeholder' ? { ...node, attr: { ...node.attr, shape: { shape: { dim: inputShape.map((d) => ({ size: String(d) })) } } } } : node,
    ),
  };
}

interface Reshaped {
  readonly before: readonly number[];
  readonly after: readonly number[];
  readonly layout: 'NCHW' | 'NHWC';
}

/**
 * Scales each constant ResizeBilinear size ([height, width]) by the ratio of the new input's height and width to the
 * old ones; a size that would not stay whole is an error.
 */
function scaleResizeSizes(model: tf.GraphModel, nodes: ReadonlyMap<string, TfNode>, { before, after, layout }: Reshaped, source: string): void {
  const spatial = layout === 'NCHW' ? [2, 3] : [1, 2];
  const weights = model.weights;
  for (const node of nodes.values()) {
    if (node.op !== 'ResizeBilinear') continue;
    const sizeNode = nodeOf(node.inputs[1] ?? '');
    const constant = weights[sizeNode]?.[0];
    if (nodes.get(sizeNode)?.op !== 'Const' || constant === undefined) throw new Error(`${source}: ${node.name} has no constant size to scale`);
    // size x new / old in integers, so a size that does not scale to a whole number is caught, not rounded.
    const scaled = Array.from(constant.dataSync(), (size, k) => {
      const axis = spatial[k] ?? 0;
      return { product: size * (after[axis] ?? 0), divisor: before[axis] ?? 1 };
    });
    if (scaled.some(({ product, divisor }) => product % divisor !== 0)) {
      throw new Error(`${source}: ${node.name} does not resize to whole sizes at input [${after.join(',')}]: use a multiple of the largest stride`);
    }
    weights[sizeNode] = [tf.tensor1d(scaled.map(({ product, divisor }) => product / divisor), 'int32')];
    constant.dispose();
  }
}

/**
 * Runs the graph once and keeps the value of every tensor a node consumes, so the converter knows every static shape
 * and can fold any subgraph that does not depend on the input (nanodet computes its reshape targets at run time).
 */
export function traceGraph(graph: TfGraph, input: tf.Tensor): Map<string, tf.Tensor> {
  const refs = new Set<string>(graph.outputNames);
  for (const node of graph.nodes.values()) for (const ref of node.inputs) refs.add(ref);
  const names = [...refs].filter((ref) => graph.nodes.get(nodeOf(ref))?.op !== 'Placeholder');
  const values = graph.model.execute({ [graph.inputName]: input }, names);
  const list = Array.isArray(values) ? values : [values];
  const traced = new Map<string, tf.Tensor>();
  names.forEach((name, i) => {
    const value = list[i];
    if (value) traced.set(name, value);
  });
  traced.set(`${graph.inputName}:0`, input);
  return traced;
}

export function attrString(node: TfNode, key: string): string | undefined {
  const s = node.attr[key]?.s;
  return s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8');
}

export function attrStrings(node: TfNode, key: string): string[] {
  return (node.attr[key]?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
}

export function attrInts(node: TfNode, key: string): number[] {
  return (node.attr[key]?.list?.i ?? []).map(Number);
}

export function attrInt(node: TfNode, key: string): number | undefined {
  const i = node.attr[key]?.i;
  return i === undefined ? undefined : Number(i);
}

export function attrFloat(node: TfNode, key: string): number | undefined {
  return node.attr[key]?.f;
}

export function attrBool(node: TfNode, key: string): boolean {
  return node.attr[key]?.b === true;
}

/** Frees a trace's activations; Const outputs are the model's own weight tensors and stay. */
export function disposeTrace(graph: TfGraph, traced: ReadonlyMap<string, tf.Tensor>): void {
  for (const [ref, tensor] of traced) if (graph.nodes.get(nodeOf(ref))?.op !== 'Const') tensor.dispose();
}
