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
