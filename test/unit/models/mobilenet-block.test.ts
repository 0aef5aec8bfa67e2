import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { calibrateRanges } from '../../../scripts/models/calibrate.js';
import { convertTfGraph } from '../../../scripts/models/convert.js';
import type { OnnxGraph, OnnxNode } from '../../../scripts/models/onnx-graph.js';
import { opCounts } from '../../../scripts/models/onnx-graph.js';
import { encodeModel } from '../../../scripts/models/onnx-proto.js';
import { foldBiasAdds, foldPads, foldScaleMuls, fuseRelu6 } from '../../../scripts/models/optimize.js';
import { openSession, runSession } from '../../../scripts/models/ort-run.js';
import { int8PerChannel, quantizeGraph, weightLevels } from '../../../scripts/models/quantize.js';
import { compareWithReference } from '../../../scripts/models/reference.js';
import type { TfGraph } from '../../../scripts/models/tfjs-graph.js';
import { disposeTrace, loadTfGraph, traceGraph } from '../../../scripts/models/tfjs-graph.js';
import { b64, constNode, convAttrs, FLOAT, type WeightSpec, writeGraphModel } from '../../helpers/tfjs-json.js';
import { tempDir } from '../../helpers/tmp.js';


/**
 * faceres' spelling of a MobileNet block as the TF.js export has it: depthwise conv, batch norm as Mul + Add, Keras
 * ReLU6 as Relu / Minimum(6) / Maximum(0), a 1x1 conv with its own ReLU6, global mean pooling, a dense
 * _FusedMatMul (BiasAdd, Relu). Weights are large enough that the convolutions exceed 6 before the clamp.
 */
function modelParts(): { nodes: unknown[]; specs: WeightSpec[]; weights: Float32Array } {
  const specs = [
    { name: 'dw', shape: [3, 3, 4, 1] },
    { name: 'gamma', shape: [4] },
    { name: 'beta', shape: [4] },
    { name: 'six', shape: [] },
    { name: 'zero', shape: [] },
    { name: 'pw', shape: [1, 1, 4, 6] },
    { name: 'axes', shape: [2], dtype: 'int32' },
    { name: 'dense', shape: [6, 3] },
    { name: 'bias', shape: [3] },
  ];
  const conv = convAttrs(1);
  const relu6 = (prefix: string, input: string) => [
    { name: `${prefix}/relu`, op: 'Relu', input: [input], attr: { T: FLOAT } },
    { name: `${prefix}/min`, op: 'Minimum', input: [`${prefix}/relu`, 'six'], attr: { T: FLOAT } },
    { name: `${prefix}/max`, op: 'Maximum', input: [`${prefix}/min`, 'zero'], attr: { T: FLOAT } },
  ];
  const nodes = [
    { name: 'x', op: 'Placeholder', attr: { dtype: FLOAT, shape: { shape: { dim: [{ size: '1' }, { size: '8' }, { size: '8' }, { size: '4' }] } } } },
    ...['dw', 'gamma', 'beta', 'six', 'zero', 'pw', 'dense', 'bias'].map((n) => constNode(n)),
    constNode('axes', 'DT_INT32'),
    { name: 'depthwise', op: 'DepthwiseConv2dNative', input: ['x', 'dw'], attr: conv },
    { name: 'bn/mul', op: 'Mul', input: ['depthwise', 'gamma'], attr: { T: FLOAT } },
    { name: 'bn/add', op: 'AddV2', input: ['bn/mul', 'beta'], attr: { T: FLOAT } },
    ...relu6('dw_relu', 'bn/add'),
    { name: 'pointwise', op: 'Conv2D', input: ['dw_relu/max', 'pw'], attr: conv },
    ...relu6('pw_relu', 'pointwise'),
    { name: 'pool', op: 'Mean', input: ['pw_relu/max', 'axes'], attr: { T: FLOAT, keep_dims: { b: false }, Tidx: { type: 'DT_INT32' } } },
    { name: 'feats', op: '_FusedMatMul', input: ['pool', 'dense', 'bias'], attr: { T: FLOAT, num_args: { i: '1' }, fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu')] } }, transpose_a: { b: false }, transpose_b: { b: false } } },
  ];
  const random = (n: number, scale: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + n) * scale);
  const floats = Float32Array.from([
    ...random(3 * 3 * 4, 1.5),
    1.5, 2.5, 0.8, 3,
    0.5, -0.2, 1, 2,
    6, 0,
    ...random(4 * 6, 2),
    // Dense [6 inputs x 3 outputs]: output 0 positive, output 1 negative before its Relu, output 2 mixed.
    ...Array.from({ length: 6 }, (_, i) => [0.5, -0.5, i % 2 === 0 ? -0.3 : 0.4]).flat(),
    0.1, -0.1, 0.2,
  ]);
  const axes = new Int32Array([1, 2]);
  // Weights are stored in manifest order: the int32 axes come between pw and dense.
  const weights = new Float32Array(floats.length + axes.length);
  const pwEnd = 3 * 3 * 4 + 4 + 4 + 2 + 4 * 6;
  weights.set(floats.subarray(0, pwEnd));
  weights.set(new Float32Array(axes.buffer), pwEnd);
  weights.set(floats.subarray(pwEnd), pwEnd + axes.length);
  return { nodes, specs, weights };
}

function worstRelative(expected: readonly Float32Array[], actual: readonly Float32Array[]): number {
  let worst = 0;
  expected.forEach((values, k) => {
    const got = actual[k] ?? new Float32Array();
    const scale = Math.max(...values.map(Math.abs));
    values.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - (got[i] ?? 0)) / scale);
    });
  });
  return worst;
}

describe('a MobileNet block as faceres spells it', () => {
  let dir: { path: string; remove(): Promise<void> };
  let graph: TfGraph;
  let onnx: OnnxGraph;
  const inputs = [0, 1, 2, 3].map((seed) => Float32Array.from({ length: 8 * 8 * 4 }, (_, i) => Math.cos(i * 0.37 + seed) * 3));

  before(async () => {
    await tf.setBackend('cpu');
    dir = await tempDir('mobilenet-block');
    const { nodes, specs, weights } = modelParts();
    graph = await loadTfGraph(await writeGraphModel(dir.path, nodes, specs, weights));
    const traced = traceGraph(graph, tf.tensor(inputs[0] ?? new Float32Array(), [1, 8, 8, 4]));
    onnx = convertTfGraph(graph, traced, 'block');
    disposeTrace(graph, traced);
  });

  after(async () => {
    await dir.remove();
  });

  it('folds the batch norm into the depthwise conv and each ReLU6 into one Clip, computing what tfjs computes', async () => {
    foldPads(onnx);
    assert.equal(foldScaleMuls(onnx), 1);
    assert.equal(foldBiasAdds(onnx), 1);
    assert.equal(fuseRelu6(onnx), 2);
    const ops = opCounts(onnx);
    assert.equal(ops.Mul, undefined);
    assert.equal(ops.Min, undefined);
    assert.equal(ops.Max, undefined);
    assert.equal(ops.Clip, 2);
    assert.equal(ops.MatMul, 1);
    assert.equal(ops.Relu, 1, 'the dense layer keeps its fused Relu');
    const session = await openSession(encodeModel(onnx), { threads: 1 });
    const diffs = await compareWithReference(graph, session, inputs);
    await session.release();
    for (const diff of diffs) assert.ok(diff.maxAbsDiff < 1e-5, `${diff.output}: ${String(diff.maxAbsDiff)}`);
    assert.ok(diffs.every((d) => d.maxAbsReference > 0.5), `outputs are not trivially zero: ${JSON.stringify(diffs)}`);
  });

  it('keeps the ReLU6 clamp in INT8 even where only the pooling reads the conv', async () => {
    const ranges = await calibrateRanges(onnx, inputs);
    const { graph: int8, report } = quantizeGraph(onnx, ranges);
    assert.equal(report.foldedActivations, 2);
    const clipped = onnx.nodes.filter((n: OnnxNode) => n.opType === 'Clip').map((n) => n.outputs[0]);
    for (const tensor of clipped) assert.ok(int8.nodes.some((n) => n.opType === 'QuantizeLinear' && n.inputs[0] === tensor), `${String(tensor)} is quantized (its quantization is the clamp)`);
    const fp32Session = await openSession(encodeModel(onnx), { threads: 1 });
    const int8Session = await openSession(encodeModel(int8), { threads: 1 });
    for (const data of inputs) {
      const expected = await runSession(fp32Session, data, [1, 8, 8, 4]);
      const actual = await runSession(int8Session, data, [1, 8, 8, 4]);
      const worst = worstRelative(expected, actual);
      assert.ok(worst > 0 && worst < 0.05, `INT8 within 5% of FP32 (got ${String(worst)})`);
    }
    await Promise.all([fp32Session.release(), int8Session.release()]);
  });
});

describe('INT8 weight levels', () => {
  const node = (group: number): OnnxNode => ({ name: 'c', opType: 'Conv', inputs: [], outputs: [], attrs: { group: { i: group } } });

  it('gives depthwise convs 8 bits, 1x1 convs pair-bounded 8 bits and other GEMM convs 7 bits', () => {
    assert.deepEqual(weightLevels(node(32), [32, 1, 3, 3]), { max: 127, pairs: false });
    // A channel multiplier above 1 leaves MLAS's depthwise kernel for the GEMM path.
    assert.deepEqual(weightLevels(node(32), [64, 1, 3, 3]), { max: 63, pairs: false });
    assert.deepEqual(weightLevels(node(1), [64, 32, 1, 1]), { max: 127, pairs: true });
    assert.deepEqual(weightLevels(node(1), [32, 3, 3, 3]), { max: 63, pairs: false });
  });

  it('keeps every pair of adjacent same-signed weights within 128 levels, so 255 x pair fits int16', () => {
    const weights = Float32Array.from([1, 1, -1, 0.1, 0.2, -0.9, -0.95, 0.3, /* second channel */ 0.5, -0.5, 0.5, -0.5, 0.25, -0.25, 0.1, 0]);
    const { values, scales } = int8PerChannel(weights, 2, { max: 127, pairs: true });
    for (let i = 0; i < values.length; i += 2) {
      const a = values[i] ?? 0;
      const b = values[i + 1] ?? 0;
      assert.ok(Math.max(a, 0) + Math.max(b, 0) <= 128 && -(Math.min(a, 0) + Math.min(b, 0)) <= 128, `pair ${String(i)}: ${String(a)}, ${String(b)}`);
    }
    // Channel 0 has a pair (1, 1): its scale is set by the pair, not by max |w| / 127.
    assert.ok(Math.abs((scales[0] ?? 0) - 2 / 127) < 1e-6);
    // Channel 1 alternates signs, so no pair binds: it keeps all 127 levels.
    assert.equal(Math.max(...values.slice(8).map(Math.abs)), 127);
  });
});
