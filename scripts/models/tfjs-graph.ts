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

export async function loadTfGraph(jsonPath: string): Promise<TfGraph> {
  const json = JSON.parse(await readFile(jsonPath, 'utf8')) as ModelJson;
  const shards = await Promise.all(json.weightsManifest.flatMap((group) => group.paths).map((p) => readFile(join(dirname(jsonPath), p))));
  const weights = Buffer.concat(shards);
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      ...(json.signature === undefined ? {} : { signature: json.signature }),
      ...(json.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: json.userDefinedMetadata }),
    }),
  );
  const nodes = new Map<string, TfNode>();
  for (const node of json.modelTopology.node) {
    const inputs = (node.input ?? []).filter((ref) => !ref.startsWith('^')).map(tensorRef);
    nodes.set(node.name, { name: node.name, op: node.op, inputs, attr: node.attr ?? {} });
  }
  const input = model.inputs[0];
  if (!input || model.inputs.length !== 1) throw new Error(`${jsonPath}: expected exactly one input`);
  return {
    model,
    nodes,
    inputName: input.name,
    inputShape: (input.shape ?? []).map((d) => (d < 0 ? 1 : d)),
    outputNames: model.outputs.map((o) => tensorRef(o.name)),
    credits: { convertedBy: json.convertedBy ?? '', generatedBy: json.generatedBy ?? '' },
  };
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
