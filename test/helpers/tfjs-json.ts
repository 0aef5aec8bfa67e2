import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Pieces of a hand-written TF.js graph-model JSON, for converter tests. */
export const b64 = (s: string): string => Buffer.from(s).toString('base64');
export const ints = (...v: number[]): { list: { i: string[] } } => ({ list: { i: v.map(String) } });
export const FLOAT = { type: 'DT_FLOAT' };

export function constNode(name: string, dtype = 'DT_FLOAT'): { name: string; op: string; attr: unknown } {
  return { name, op: 'Const', attr: { dtype: { type: dtype }, value: { tensor: { dtype } } } };
}

/** Conv2D / DepthwiseConv2dNative attributes: NHWC, SAME padding, no dilation. */
export function convAttrs(stride: number): Record<string, unknown> {
  return { strides: ints(1, stride, stride, 1), padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') }, dilations: ints(1, 1, 1, 1), T: FLOAT };
}

export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype?: string;
}

/** Writes `model.json` (a graph model over `nodes`) and its `model.bin` into `dir`; returns the model.json path. */
export async function writeGraphModel(dir: string, nodes: readonly unknown[], specs: readonly WeightSpec[], weights: Float32Array): Promise<string> {
  const json = {
    format: 'graph-model',
    modelTopology: { node: nodes, versions: {} },
    weightsManifest: [{ paths: ['model.bin'], weights: specs.map((s) => ({ name: s.name, shape: s.shape, dtype: s.dtype ?? 'float32' })) }],
  };
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
  await writeFile(join(dir, 'model.bin'), new Uint8Array(weights.buffer));
  return join(dir, 'model.json');
}
