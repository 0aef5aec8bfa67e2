import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { visionSchema } from '../../edge/config/vision.js';
import type { RgbImage } from '../../edge/ingest/frame.js';
import { Detector } from '../../edge/vision/detector.js';
import { alignFace } from '../../edge/vision/face-align.js';
import { alignmentLandmarks, FaceDetector } from '../../edge/vision/face-detector.js';
import { inputSize, toInputTensor } from '../../edge/vision/input-tensor.js';
import { percentile } from '../../edge/vision/latency-window.js';
import { cropRegion, letterbox } from '../../edge/vision/letterbox.js';
import { DEFAULT_MODELS_DIR, inputVariants, MODEL_ROLES, readManifest, selectModel, type ModelEntry } from '../../edge/vision/manifest.js';
import { ModelSession } from '../../edge/vision/model-session.js';
import { VisionRuntime } from '../../edge/vision/runtime.js';
import { VTEST, videoFrames, vtestFrames } from '../../test/helpers/frames.js';
import { machineLine } from './machine.js';

/**
 * p50 / p95 latency of every model in models/manifest.json, FP32 and INT8, with 1 and 2 intra-op threads, on real
 * inputs (vtest.avi frames, the fixture face photos); then the Detector end to end (letterbox + infer + decode).
 */
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const WARMUP = 3;
const FRAMES = [60, 160, 260, 360, 460, 560, 660, 760];

interface Figures {
  readonly p50: number;
  readonly p95: number;
}

/** Two steps timed run for run, so machine load hits both alike and their ratio holds. */
async function timedPair(runs: number, steps: readonly ((i: number) => Promise<unknown>)[]): Promise<Figures[]> {
  const samples = steps.map(() => [] as number[]);
  for (let i = -WARMUP; i < runs; i += 1) {
    for (const [k, step] of steps.entries()) {
      const start = performance.now();
      await step(Math.abs(i));
      if (i >= 0) samples[k]?.push(performance.now() - start);
    }
  }
  return samples.map((list) => {
    list.sort((a, b) => a - b);
    return { p50: percentile(list, 0.5), p95: percentile(list, 0.95) };
  });
}

async function photo(path: string): Promise<RgbImage> {
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

/** Real model inputs per role: letterboxed frames or photos, and faces aligned from the fixture photos. */
async function inputsFor(entry: ModelEntry, frames: readonly RgbImage[], photos: readonly RgbImage[], faces: readonly RgbImage[]): Promise<Float32Array[]> {
  const size = inputSize(entry.input);
  const pictures = entry.role === 'detector' ? frames : entry.role === 'face-detector' ? photos : [];
  if (entry.role === 'face-embedder') {
    return Promise.all(faces.map(async (face) => {
      const resized = await sharp(face.data, { raw: { width: face.width, height: face.height, channels: 3 } }).resize(size.width, size.height).raw().toBuffer();
      return toInputTensor(resized, entry.input);
    }));
  }
  return Promise.all(pictures.map(async (picture) => {
    const region = cropRegion(picture, undefined);
    if (region === undefined) throw new Error('empty picture');
    const { pixels, placement } = await letterbox(picture, region, size);
    return toInputTensor(pixels, entry.input, placement);
  }));
}

const fmt = (ms: number): string => ms.toFixed(1).padStart(7);

async function main(): Promise<void> {
  process.stdout.write(`${machineLine()}\n`);
  process.stdout.write(`models bench: ${RUNS} timed runs after ${WARMUP} warm-up, one run at a time (as the shared queue runs them)\n`);
  const manifest = await readManifest(join(DEFAULT_MODELS_DIR, 'manifest.json'));
  const frames = await vtestFrames(FRAMES);
  const photos = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => photo(join(DEFAULT_MODELS_DIR, '..', 'test', 'fixtures', 'faces', `group${n}.jpg`))));

  const faceSession = new ModelSession({ modelsDir: DEFAULT_MODELS_DIR, entry: selectModel(manifest, 'face-detector', 'fp32'), threads: 2, queueSize: 4 });
  await faceSession.start();
  const faceDetector = new FaceDetector({ session: faceSession, config: visionSchema.parse({}).faceDetector });
  const faces: RgbImage[] = [];
  for (const picture of photos) for (const face of await faceDetector.detect(picture)) faces.push(alignFace(picture, alignmentLandmarks(face)));
  await faceSession.stop();

  // FP32 and INT8 builds of a model are timed interleaved, run for run, so load from other processes hits both alike
  // and their ratio stays meaningful on a busy machine.
  const results = new Map<string, Figures>();
  process.stdout.write(`\n${'model'.padEnd(22)}${'prec'.padEnd(6)}thr     p50     p95  (ms)\n`);
  for (const model of new Set(manifest.models.map((entry) => entry.model))) {
    const builds = manifest.models.filter((entry) => entry.model === model);
    const inputs = await Promise.all(builds.map((entry) => inputsFor(entry, frames, photos, faces)));
    for (const threads of [1, 2]) {
      const runs = builds.map((entry, b) => ({
        session: new ModelSession({ modelsDir: DEFAULT_MODELS_DIR, entry, threads, queueSize: 4 }),
        inputs: inputs[b] ?? [],
        samples: [] as number[],
      }));
      for (const { session } of runs) await session.start();
      for (let i = -WARMUP; i < RUNS; i += 1) {
        for (const run of runs) {
          const input = run.inputs[Math.abs(i) % run.inputs.length] ?? new Float32Array();
          const start = performance.now();
          await run.session.run('bench', input);
          if (i >= 0) run.samples.push(performance.now() - start);
        }
      }
      for (const { session, samples } of runs) {
        await session.stop();
        samples.sort((x, y) => x - y);
        const figures = { p50: percentile(samples, 0.5), p95: percentile(samples, 0.95) };
        results.set(`${session.entry.name}/${threads}`, figures);
        process.stdout.write(`${session.entry.name.padEnd(22)}${session.entry.precision.padEnd(6)}${String(threads).padStart(3)}${fmt(figures.p50)} ${fmt(figures.p95)}\n`);
      }
    }
  }

  process.stdout.write('\nINT8 / FP32 latency ratio (p50; below 1 means INT8 is faster)\n');
  for (const int8 of manifest.models.filter((entry) => entry.precision === 'int8')) {
    const twin = `${int8.name.replace(/-int8$/, '')}-fp32`;
    for (const threads of [1, 2]) {
      const a = results.get(`${int8.name}/${threads}`);
      const b = results.get(`${twin}/${threads}`);
      const ratio = a === undefined || b === undefined ? 'n/a (one precision only)' : `${(a.p50 / b.p50).toFixed(2)} (speed-up ${(b.p50 / a.p50).toFixed(2)}x)`;
      process.stdout.write(`  ${int8.name.replace(/-int8$/, '').padEnd(16)} ${threads} thread(s): ${ratio}\n`);
    }
  }

  process.stdout.write('\nOther input shapes / their square input (p50, same precision and threads; below 1 is cheaper)\n');
  for (const variant of manifest.models.filter((entry) => entry.inputOf !== undefined)) {
    for (const threads of [1, 2]) {
      const a = results.get(`${variant.name}/${threads}`);
      const b = results.get(`${variant.inputOf ?? ''}/${threads}`);
      if (a !== undefined && b !== undefined) process.stdout.write(`  ${variant.name.padEnd(22)} ${threads} thread(s): ${(a.p50 / b.p50).toFixed(2)}\n`);
    }
  }

  const { threads } = visionSchema.parse({});
  const wide = await videoFrames(VTEST, FRAMES, { width: 1280, height: 720 });
  process.stdout.write(`\nDetector end to end per frame (letterbox with sharp + normalize + infer + decode + NMS), ${String(threads)} thread(s) (the vision.threads default); vision.detector.input square and fit timed run for run\n`);
  for (const entry of manifest.models.filter((m) => m.role === 'detector' && m.inputOf === undefined)) {
    const square = new ModelSession({ modelsDir: DEFAULT_MODELS_DIR, entry, threads, queueSize: 4 });
    const fit = new ModelSession({ modelsDir: DEFAULT_MODELS_DIR, entry, inputs: inputVariants(manifest, entry), threads, queueSize: 4 });
    await Promise.all([square.start(), fit.start()]);
    for (const [label, pictures] of [['768x576', frames], ['1280x720', wide]] as const) {
      const detectors = [square, fit].map((session) => new Detector({ session, config: visionSchema.parse({}).detector }));
      for (const detector of detectors) detector.start();
      const [a, b] = await timedPair(RUNS, detectors.map((detector) => (i: number) => detector.detect(pictures[i % pictures.length] ?? { width: 0, height: 0, data: Buffer.alloc(0) }, { camera: 'bench' })));
      if (a === undefined || b === undefined) throw new Error('no figures');
      process.stdout.write(`  ${entry.name.padEnd(14)} ${label.padEnd(9)} square p50 ${fmt(a.p50)} p95 ${fmt(a.p95)} ms   fit p50 ${fmt(b.p50)} p95 ${fmt(b.p95)} ms   fit/square p50 ${(b.p50 / a.p50).toFixed(2)}\n`);
    }
    await Promise.all([square.stop(), fit.stop()]);
  }

  // The measurement a gateway makes at its first start, with an empty state directory so it really measures.
  process.stdout.write(`\nvision.precision auto on this machine (the first start's measurement, synthetic input, ${String(threads)} thread(s))\n`);
  const state = await mkdtemp(join(tmpdir(), 'huxiao-bench-precision-'));
  const runtime = new VisionRuntime({ config: visionSchema.parse({}), roles: MODEL_ROLES, stateDir: state });
  await runtime.start();
  for (const health of runtime.health()) {
    const medians = health.medianMs === undefined ? '' : `  int8 ${health.medianMs.int8.toFixed(1)} ms, fp32 ${health.medianMs.fp32.toFixed(1)} ms, ratio ${(health.medianMs.int8 / health.medianMs.fp32).toFixed(2)}`;
    process.stdout.write(`  ${health.role.padEnd(14)} ${(health.model ?? health.state).padEnd(16)} ${(health.precisionReason ?? '').padEnd(15)}${medians}\n`);
  }
  await runtime.stop();
  await rm(state, { recursive: true, force: true });
  process.stdout.write('\nNote: figures taken while other work shares the CPU are noisy; compare ratios, re-run on a quiet machine for absolutes.\n');
}

await main();
