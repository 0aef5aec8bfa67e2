import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { calibrateRanges } from '../../../scripts/models/calibrate.js';
import { convertTfGraph } from '../../../scripts/models/convert.js';
import type { OnnxGraph } from '../../../scripts/models/onnx-graph.js';
import { opCounts } from '../../../scripts/models/onnx-graph.js';
import { encodeModel } from '../../../scripts/models/onnx-proto.js';
import { foldBiasAdds, foldPads } from '../../../scripts/models/optimize.js';
import { openSession, runSession } from '../../../scripts/models/ort-run.js';
import { quantizeGraph } from '../../../scripts/models/quantize.js';
import { compareWithReference } from '../../../scripts/models/reference.js';
import type { TfGraph } from '../../../scripts/models/tfjs-graph.js';
import { disposeTrace, loadTfGraph, traceGraph } from '../../../scripts/models/tfjs-graph.js';
import { b64, constNode, convAttrs, FLOAT, ints, type WeightSpec, writeGraphModel } from '../../helpers/tfjs-json.js';
import { tempDir } from '../../helpers/tmp.js';


/** A small NHWC graph exercising SAME padding, a fused Relu6, depthwise conv, the PReLU spelling, Transpose tracking, Reshape and Concat. */
function modelParts(): { nodes: unknown[]; specs: WeightSpec[]; weights: Float32Array } {
  const specs = [
    { name: 'w', shape: [3, 3, 3, 4] },
    { name: 'b', shape: [4] },
    { name: 'dw', shape: [3, 3, 4, 1] },
    { name: 'alpha', shape: [4] },
    { name: 'perm', shape: [4], dtype: 'int32' },
    { name: 'shape', shape: [2], dtype: 'int32' },
    { name: 'axis', shape: [], dtype: 'int32' },
  ];
  const conv = convAttrs(2);
  const nodes = [
    { name: 'x', op: 'Placeholder', attr: { dtype: FLOAT, shape: { shape: { dim: [{ size: '1' }, { size: '9' }, { size: '9' }, { size: '3' }] } } } },
    constNode('w'), constNode('b'), constNode('dw'), constNode('alpha'), constNode('perm', 'DT_INT32'), constNode('shape', 'DT_INT32'), constNode('axis', 'DT_INT32'),
    { name: 'conv', op: '_FusedConv2D', input: ['x', 'w', 'b'], attr: { ...conv, num_args: { i: '1' }, fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu6')] } }, epsilon: { f: 0 } } },
    { name: 'depthwise', op: 'DepthwiseConv2dNative', input: ['conv', 'dw'], attr: { ...conv, strides: ints(1, 1, 1, 1) } },
    { name: 'relu', op: 'Relu', input: ['depthwise'], attr: { T: FLOAT } },
    { name: 'abs', op: 'Abs', input: ['depthwise'], attr: { T: FLOAT } },
    { name: 'sub', op: 'Sub', input: ['depthwise', 'abs'], attr: { T: FLOAT } },
    { name: 'mul', op: 'Mul', input: ['sub', 'alpha'], attr: { T: FLOAT } },
    { name: 'prelu', op: 'AddV2', input: ['relu', 'mul'], attr: { T: FLOAT } },
    { name: 'nchw', op: 'Transpose', input: ['prelu', 'perm'], attr: { T: FLOAT, Tperm: { type: 'DT_INT32' } } },
    { name: 'flat', op: 'Reshape', input: ['nchw', 'shape'], attr: { T: FLOAT, Tshape: { type: 'DT_INT32' } } },
    { name: 'joined', op: 'ConcatV2', input: ['prelu', 'conv', 'axis'], attr: { T: FLOAT, N: { i: '2' }, Tidx: { type: 'DT_INT32' } } },
  ];
  const values: number[] = [];
  const random = (n: number, scale: number) => Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + n) * scale);
  values.push(...random(3 * 3 * 3 * 4, 0.5), ...random(4, 0.2), ...random(3 * 3 * 4, 0.5), 0.05, 0.1, 0.2, 0.3);
  const ints32 = new Int32Array([0, 3, 1, 2, 1, 100, 3]);
  const floats = Float32Array.from(values);
  const weights = new Float32Array(floats.length + ints32.length);
  weights.set(floats);
  weights.set(new Float32Array(ints32.buffer), floats.length);
  return { nodes, specs, weights };
}

describe('TF.js graph to ONNX converter', () => {
  let dir: { path: string; remove(): Promise<void> };
  let graph: TfGraph;
  let onnx: OnnxGraph;
  const inputs = [0, 1, 2].map((seed) => Float32Array.from({ length: 9 * 9 * 3 }, (_, i) => Math.cos(i * 0.37 + seed) * 2));

  before(async () => {
    await tf.setBackend('cpu');
    dir = await tempDir('convert');
    const { nodes, specs, weights } = modelParts();
    graph = await loadTfGraph(await writeGraphModel(dir.path, nodes, specs, weights));
    const input = tf.tensor(inputs[0] ?? new Float32Array(), [1, 9, 9, 3]);
    const traced = traceGraph(graph, input);
    onnx = convertTfGraph(graph, traced, 'tiny');
    disposeTrace(graph, traced);
    foldPads(onnx);
    foldBiasAdds(onnx);
  });

  after(async () => {
    await dir.remove();
  });

  it('keeps the TF input and output shapes, in model.outputs order, with only the needed Transposes', () => {
    assert.deepEqual(onnx.inputs.map((i) => [i.name, i.dims]), [['input', [1, 9, 9, 3]]]);
    assert.deepEqual(onnx.outputs.map((o) => o.name), ['output0', 'output1']);
    const shapes = Object.fromEntries(graph.outputNames.map((n, k) => [n, onnx.outputs[k]?.dims]));
    assert.deepEqual(shapes, { 'flat:0': [1, 100], 'joined:0': [1, 5, 5, 8] });
    const ops = opCounts(onnx);
    // The input goes NHWC -> NCHW once; the TF Transpose before Reshape costs nothing; the NHWC concat output needs one.
    assert.equal(ops.Transpose, 2);
    assert.equal(ops.PRelu, 1);
    assert.equal(ops.Abs, undefined);
    assert.equal(ops.Clip, 1);
  });

  it('computes what tfjs computes', async () => {
    const session = await openSession(encodeModel(onnx), { threads: 1 });
    const diffs = await compareWithReference(graph, session, inputs);
    await session.release();
    for (const diff of diffs) assert.ok(diff.maxAbsDiff < 1e-5, `${diff.output}: ${String(diff.maxAbsDiff)}`);
    assert.ok(diffs.every((d) => d.maxAbsReference > 0.1), 'outputs are not trivially zero');
  });

  it('quantizes to QDQ INT8 that stays close to FP32', async () => {
    const ranges = await calibrateRanges(onnx, inputs);
    const { graph: int8, report } = quantizeGraph(onnx, ranges);
    assert.equal(report.quantizedWeights, 2);
    const ops = opCounts(int8);
    assert.ok((ops.QuantizeLinear ?? 0) >= 3 && (ops.DequantizeLinear ?? 0) >= 5);
    assert.ok([...int8.initializers.values()].some((t) => t.dataType === 'int8'));
    const fp32Session = await openSession(encodeModel(onnx), { threads: 1 });
    const int8Session = await openSession(encodeModel(int8), { threads: 1 });
    for (const data of inputs) {
      const expected = await runSession(fp32Session, data, [1, 9, 9, 3]);
      const actual = await runSession(int8Session, data, [1, 9, 9, 3]);
      expected.forEach((values, k) => {
        const got = actual[k] ?? new Float32Array();
        let worst = 0;
        let scale = 0;
        values.forEach((v, i) => {
          worst = Math.max(worst, Math.abs(v - (got[i] ?? 0)));
          scale = Math.max(scale, Math.abs(v));
        });
        assert.ok(worst > 0, 'INT8 differs at all (it really is quantized)');
        assert.ok(worst < 0.05 * scale, `output ${String(k)}: ${String(worst)} vs range ${String(scale)}`);
      });
    }
    await Promise.all([fp32Session.release(), int8Session.release()]);
  });
});
