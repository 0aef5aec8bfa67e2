import type { ConstValue, OpContext, OpHandler, TensorValue, Value } from './convert.js';
import { NHWC_TO_NCHW, at, identityPerm, onnxAxis, permAfterTfTranspose, transposeData } from './layout.js';
import { attrBool, attrFloat, attrInts, attrString, attrStrings } from './tfjs-graph.js';
import type { TfNode } from './tfjs-graph.js';

/** TF op -> ONNX nodes. Each handler returns one Value per TF output. */
export const OP_HANDLERS: Readonly<Record<string, OpHandler>> = {
  Identity: (ctx) => [ctx.input(0)],
  Transpose: (ctx) => {
    const x = ctx.tensor(0);
    const perm = [...ctx.constant(1).data];
    return [{ kind: 'tensor', name: x.name, perm: permAfterTfTranspose(x.perm, perm), shape: ctx.outShape() }];
  },
  Conv2D: (ctx) => [conv(ctx, false)],
  _FusedConv2D: (ctx) => [conv(ctx, false)],
  DepthwiseConv2dNative: (ctx) => [conv(ctx, true)],
  FusedDepthwiseConv2dNative: (ctx) => [conv(ctx, true)],
  MaxPool: (ctx) => {
    const x = ctx.tensor(0);
    const kernel = spatial(attrInts(ctx.node, 'ksize'));
    const strides = spatial(attrInts(ctx.node, 'strides'));
    const pads = explicitPads(ctx.node, spatial(x.shape), kernel, strides, [1, 1]);
    const [out] = ctx.emit('MaxPool', [ctx.layout(x, NHWC_TO_NCHW)], { kernel_shape: { ints: kernel }, strides: { ints: strides }, pads: { ints: pads } });
    return [nchw(out, ctx)];
  },
  Pad: (ctx) => [pad(ctx)],
  PadV2: (ctx) => [pad(ctx)],
  Add: (ctx) => [preluPattern(ctx) ?? binary(ctx, 'Add')],
  AddV2: (ctx) => [preluPattern(ctx) ?? binary(ctx, 'Add')],
  Sub: (ctx) => [binary(ctx, 'Sub')],
  Mul: (ctx) => [binary(ctx, 'Mul')],
  RealDiv: (ctx) => [binary(ctx, 'Div')],
  Maximum: (ctx) => [binary(ctx, 'Max')],
  Minimum: (ctx) => [binary(ctx, 'Min')],
  Relu: (ctx) => [unary(ctx, 'Relu')],
  Sigmoid: (ctx) => [unary(ctx, 'Sigmoid')],
  Abs: (ctx) => [unary(ctx, 'Abs')],
  LeakyRelu: (ctx) => [unary(ctx, 'LeakyRelu', { alpha: { f: attrFloat(ctx.node, 'alpha') ?? 0.2 } })],
  Relu6: (ctx) => [clip(ctx, ctx.tensor(0), 0, 6)],
  Square: (ctx) => {
    const x = ctx.tensor(0);
    const [out] = ctx.emit('Mul', [x.name, x.name]);
    return [like(x, out, ctx)];
  },
  Rsqrt: (ctx) => {
    const x = ctx.tensor(0);
    const [root] = ctx.emit('Sqrt', [x.name]);
    const [out] = ctx.emit('Reciprocal', [defined(root)]);
    return [like(x, out, ctx)];
  },
  Softmax: (ctx) => {
    const x = ctx.tensor(0);
    const [out] = ctx.emit('Softmax', [x.name], { axis: { i: onnxAxis(-1, x.perm) } });
    return [like(x, out, ctx)];
  },
  ConcatV2: (ctx) => {
    const count = ctx.node.inputs.length - 1;
    const axis = scalar(ctx.constant(count));
    const parts = Array.from({ length: count }, (_, i) => ctx.input(i));
    const first = parts.find((p): p is TensorValue => p.kind === 'tensor');
    if (!first) throw new Error(`${ctx.node.name}: concat of constants only`);
    const [out] = ctx.emit('Concat', parts.map((p) => ctx.layout(p, first.perm)), { axis: { i: onnxAxis(axis, first.perm) } });
    return [{ kind: 'tensor', name: defined(out), perm: first.perm, shape: ctx.outShape() }];
  },
  SplitV: (ctx) => {
    const x = ctx.tensor(0);
    const axis = scalar(ctx.constant(2));
    const sizes = [...ctx.constant(1).data];
    const known = sizes.filter((s) => s >= 0).reduce((a, b) => a + b, 0);
    const full = at(x.shape, axis < 0 ? axis + x.shape.length : axis);
    const split = sizes.map((s) => (s < 0 ? full - known : s));
    const splitName = ctx.initializer({ dataType: 'int64', dims: [split.length], data: BigInt64Array.from(split.map(BigInt)) }, `${ctx.node.name}/split`);
    const outs = ctx.emit('Split', [x.name, splitName], { axis: { i: onnxAxis(axis, x.perm) } }, split.length);
    return outs.map((name, k) => ({ kind: 'tensor', name, perm: x.perm, shape: ctx.outShape(k) }));
  },
  Reshape: (ctx) => [reshape(ctx)],
  Squeeze: (ctx) => [reshape(ctx)],
  ExpandDims: (ctx) => [reshape(ctx)],
  ResizeBilinear: (ctx) => {
    const x = ctx.tensor(0);
    const [n, h, w, c] = ctx.outShape();
    const sizes = ctx.initializer({ dataType: 'int64', dims: [4], data: BigInt64Array.from([n, c, h, w].map((d) => BigInt(d ?? 0))) }, `${ctx.node.name}/sizes`);
    const mode = attrBool(ctx.node, 'half_pixel_centers') ? 'half_pixel' : attrBool(ctx.node, 'align_corners') ? 'align_corners' : 'asymmetric';
    const [out] = ctx.emit('Resize', [ctx.layout(x, NHWC_TO_NCHW), '', '', sizes], { mode: { s: 'linear' }, coordinate_transformation_mode: { s: mode } });
    return [nchw(out, ctx)];
  },
  MatMul: (ctx) => [matMul(ctx)],
  _FusedMatMul: (ctx) => [matMul(ctx)],
  Sum: (ctx) => [reduce(ctx, 'ReduceSum')],
  Mean: (ctx) => [reduce(ctx, 'ReduceMean')],
};

/** MatMul, or _FusedMatMul with its BiasAdd and an optional Relu (faceres' dense heads). */
function matMul(ctx: OpContext): TensorValue {
  const { node } = ctx;
  if (attrBool(node, 'transpose_a') || attrBool(node, 'transpose_b')) throw new Error(`${node.name}: transposed MatMul not supported`);
  const [first, activation, ...rest] = attrStrings(node, 'fused_ops');
  if ((first !== undefined && first !== 'BiasAdd') || (activation !== undefined && activation !== 'Relu') || rest.length > 0) {
    throw new Error(`${node.name}: fused ops ${attrStrings(node, 'fused_ops').join(',')} not supported`);
  }
  const x = ctx.tensor(0);
  const shape = ctx.outShape();
  const at = (name: string | undefined): TensorValue => ({ kind: 'tensor', name: defined(name), perm: identityPerm(shape.length), shape });
  let out = at(ctx.emit('MatMul', [ctx.layout(x, identityPerm(x.shape.length)), ctx.layout(ctx.input(1), identityPerm(ctx.input(1).shape.length))])[0]);
  if (first === 'BiasAdd') out = at(ctx.emit('Add', [out.name, ctx.layout(ctx.input(2), identityPerm(ctx.input(2).shape.length))])[0]);
  if (activation === 'Relu') out = at(ctx.emit('Relu', [out.name])[0]);
  return out;
}

function conv(ctx: OpContext, depthwise: boolean): TensorValue {
  const { node } = ctx;
  const format = attrString(node, 'data_format');
  if (format !== undefined && format !== 'NHWC') throw new Error(`${node.name}: data_format ${format} not supported`);
  const x = ctx.tensor(0);
  const filter = floatConst(ctx.constant(1), node);
  const [kh, kw, cin, multiplier] = filter.shape.map(Number) as [number, number, number, number];
  const weights = depthwise
    ? { dims: [cin * multiplier, 1, kh, kw], data: transposeData(filter.data, [kh, kw, cin * multiplier], [2, 0, 1]) }
    : { dims: [multiplier, cin, kh, kw], data: transposeData(filter.data, filter.shape, [3, 2, 0, 1]) };
  const strides = spatial(attrInts(node, 'strides'));
  const dilationsAttr = attrInts(node, 'dilations');
  const dilations = dilationsAttr.length === 4 ? spatial(dilationsAttr) : [1, 1];
  const pads = explicitPads(node, spatial(x.shape), [kh, kw], strides, dilations);
  const fused = attrStrings(node, 'fused_ops');
  const [first, activation, ...rest] = fused;
  if (first !== undefined && first !== 'BiasAdd') throw new Error(`${node.name}: fused op ${first} not supported`);
  if (rest.length > 0) throw new Error(`${node.name}: fused ops ${fused.join(',')} not supported`);
  const inputs = [ctx.layout(x, NHWC_TO_NCHW), ctx.initializer({ dataType: 'float32', ...weights }, `${node.name}/W`)];
  if (first === 'BiasAdd') inputs.push(ctx.initializer({ dataType: 'float32', dims: [weights.dims[0] ?? 0], data: floatConst(ctx.constant(2), node).data }, `${node.name}/B`));
  const attrs = {
    kernel_shape: { ints: [kh, kw] },
    strides: { ints: strides },
    dilations: { ints: dilations },
    pads: { ints: pads },
    group: { i: depthwise ? cin : 1 },
  };
  const [convOut] = ctx.emit('Conv', inputs, attrs);
  const value = nchw(convOut, ctx);
  switch (activation) {
    case undefined:
      return value;
    case 'Relu':
      return nchw(ctx.emit('Relu', [value.name])[0], ctx);
    case 'Relu6':
      return clip(ctx, value, 0, 6);
    case 'LeakyRelu':
      return nchw(ctx.emit('LeakyRelu', [value.name], { alpha: { f: attrFloat(node, 'leakyrelu_alpha') ?? 0.2 } })[0], ctx);
    case 'Prelu':
      return nchw(ctx.emit('PRelu', [value.name, ctx.layout(ctx.constant(3), NHWC_TO_NCHW)])[0], ctx);
    default:
      throw new Error(`${node.name}: fused activation ${activation} not supported`);
  }
}

/**
 * TF "SAME" padding as explicit ONNX pads [top, left, bottom, right]; the odd pixel goes after, as in TF.
 * (ONNX auto_pad SAME_UPPER would agree, but explicit pads let a preceding Pad be folded in.)
 */
function explicitPads(node: TfNode, input: number[], kernel: number[], strides: number[], dilations: number[]): number[] {
  const padding = attrString(node, 'padding');
  if (padding === 'VALID') return [0, 0, 0, 0];
  if (padding === 'EXPLICIT') {
    const p = attrInts(node, 'explicit_paddings');
    return [at(p, 2), at(p, 4), at(p, 3), at(p, 5)];
  }
  if (padding !== 'SAME') throw new Error(`${node.name}: padding ${String(padding)} not supported`);
  const before: number[] = [];
  const after: number[] = [];
  for (let d = 0; d < 2; d += 1) {
    const size = at(input, d);
    const stride = at(strides, d);
    const out = Math.ceil(size / stride);
    const effective = (at(kernel, d) - 1) * at(dilations, d) + 1;
    const total = Math.max((out - 1) * stride + effective - size, 0);
    before.push(Math.floor(total / 2));
    after.push(total - Math.floor(total / 2));
  }
  return [...before, ...after];
}

function pad(ctx: OpContext): TensorValue {
  const x = ctx.tensor(0);
  const paddings = ctx.constant(1).data;
  const begins = x.perm.map((axis) => at([...paddings], axis * 2));
  const ends = x.perm.map((axis) => at([...paddings], axis * 2 + 1));
  const fill = ctx.node.inputs.length > 2 ? scalar(ctx.constant(2)) : 0;
  const padsName = ctx.initializer({ dataType: 'int64', dims: [begins.length * 2], data: BigInt64Array.from([...begins, ...ends].map(BigInt)) }, `${ctx.node.name}/pads`);
  const valueName = ctx.initializer({ dataType: 'float32', dims: [], data: Float32Array.of(fill) }, `${ctx.node.name}/value`);
  const [out] = ctx.emit('Pad', [x.name, padsName, valueName], { mode: { s: 'constant' } });
  return like(x, out, ctx);
}

/**
 * mobilefacenet's TF export spells PReLU as relu(x) + alpha/2 * (x - |x|). When the first term is Relu(x) this is
 * PRelu(x, alpha); when it is x itself and x already went through a fused Relu, the second term is exactly zero and the
 * sum is x (that is what the shipped graph computes, so the reference and the ONNX agree).
 */
function preluPattern(ctx: OpContext): Value | undefined {
  for (const [left, right] of [[0, 1], [1, 0]] as const) {
    const mul = ctx.producer(ctx.node.inputs[right] ?? '');
    if (mul?.op !== 'Mul') continue;
    const sub = ctx.producer(mul.inputs[0] ?? '');
    const alpha = ctx.resolve(mul.inputs[1] ?? '');
    if (sub?.op !== 'Sub' || alpha.kind !== 'const') continue;
    const x = sub.inputs[0] ?? '';
    const abs = ctx.producer(sub.inputs[1] ?? '');
    if (abs?.op !== 'Abs' || abs.inputs[0] !== x) continue;
    const leftRef = ctx.node.inputs[left] ?? '';
    const first = ctx.producer(leftRef);
    if (first?.op === 'Relu' && first.inputs[0] === x) {
      const value = ctx.resolve(x);
      if (value.kind !== 'tensor') continue;
      const slope: ConstValue = { ...alpha, data: Float32Array.from(alpha.data, (a) => a * 2) };
      const [out] = ctx.emit('PRelu', [value.name, ctx.layout(slope, value.perm)]);
      return like(value, out, ctx);
    }
    if (leftRef === x && first !== undefined && endsWithRelu(first)) return ctx.resolve(x);
  }
  return undefined;
}

function endsWithRelu(node: TfNode): boolean {
  return node.op === 'Relu' || attrStrings(node, 'fused_ops').at(-1) === 'Relu';
}

function binary(ctx: OpContext, opType: string): TensorValue {
  const a = ctx.input(0);
  const b = ctx.input(1);
  const shape = ctx.outShape();
  const tensors = [a, b].filter((v): v is TensorValue => v.kind === 'tensor');
  const sameRank = tensors.every((t) => t.shape.length === shape.length);
  const perm = sameRank && tensors[0] ? tensors[0].perm : identityPerm(shape.length);
  const operand = (v: Value): string => (v.kind === 'tensor' && !sameRank ? ctx.layout(v, identityPerm(v.shape.length)) : ctx.layout(v, perm));
  const [out] = ctx.emit(opType, [operand(a), operand(b)]);
  return { kind: 'tensor', name: defined(out), perm, shape };
}

function unary(ctx: OpContext, opType: string, attrs = {}): TensorValue {
  const x = ctx.tensor(0);
  const [out] = ctx.emit(opType, [x.name], attrs);
  return like(x, out, ctx);
}

function clip(ctx: OpContext, x: TensorValue, min: number, max: number): TensorValue {
  const lo = ctx.initializer({ dataType: 'float32', dims: [], data: Float32Array.of(min) }, `${ctx.node.name}/min`);
  const hi = ctx.initializer({ dataType: 'float32', dims: [], data: Float32Array.of(max) }, `${ctx.node.name}/max`);
  const [out] = ctx.emit('Clip', [x.name, lo, hi]);
  return like(x, out, ctx);
}

function reshape(ctx: OpContext): TensorValue {
  const x = ctx.tensor(0);
  const shape = ctx.outShape();
  const target = ctx.initializer({ dataType: 'int64', dims: [shape.length], data: BigInt64Array.from(shape.map(BigInt)) }, `${ctx.node.name}/shape`);
  const [out] = ctx.emit('Reshape', [ctx.layout(x, identityPerm(x.shape.length)), target]);
  return { kind: 'tensor', name: defined(out), perm: identityPerm(shape.length), shape };
}

function reduce(ctx: OpContext, opType: 'ReduceSum' | 'ReduceMean'): TensorValue {
  const x = ctx.tensor(0);
  const keep = attrBool(ctx.node, 'keep_dims');
  const perm = keep ? x.perm : identityPerm(x.shape.length);
  const axes = [...ctx.constant(1).data].map((a) => onnxAxis(a, perm));
  const input = ctx.layout(x, perm);
  const keepdims = { i: keep ? 1 : 0 };
  const [out] =
    opType === 'ReduceSum'
      ? ctx.emit(opType, [input, ctx.initializer({ dataType: 'int64', dims: [axes.length], data: BigInt64Array.from(axes.map(BigInt)) }, `${ctx.node.name}/axes`)], { keepdims })
      : ctx.emit(opType, [input], { axes: { ints: axes }, keepdims });
  const shape = ctx.outShape();
  return { kind: 'tensor', name: defined(out), perm: keep ? perm : identityPerm(shape.length), shape };
}

function like(x: TensorValue, name: string | undefined, ctx: OpContext): TensorValue {
  return { kind: 'tensor', name: defined(name), perm: x.perm, shape: ctx.outShape() };
}

function nchw(name: string | undefined, ctx: OpContext): TensorValue {
  return { kind: 'tensor', name: defined(name), perm: NHWC_TO_NCHW, shape: ctx.outShape() };
}

function spatial(values: readonly number[]): number[] {
  return [at(values, 1), at(values, 2)];
}

function scalar(value: ConstValue): number {
  if (value.data.length !== 1) throw new Error(`expected a scalar, got shape [${value.shape.join(',')}]`);
  return at([...value.data], 0);
}

function floatConst(value: ConstValue, node: TfNode): ConstValue & { data: Float32Array } {
  if (!(value.data instanceof Float32Array)) throw new Error(`${node.name}: expected float weights`);
  return { ...value, data: value.data };
}

function defined(name: string | undefined): string {
  if (name === undefined) throw new Error('node produced no output');
  return name;
}
