import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { visionSchema } from '../../../edge/config/vision.js';
import type { RgbImage } from '../../../edge/ingest/frame.js';
import { footageSource } from '../../devkit/footage.js';
import { ffmpegBinary } from '../../../edge/ingest/ffmpeg-process.js';
import { Detector } from '../../../edge/vision/detector.js';
import { ModelSession } from '../../../edge/vision/model-session.js';
import { DEFAULT_MODELS_DIR, inputVariants, readManifest, selectModel } from '../../../edge/vision/manifest.js';
import { fittingInput } from '../../../edge/vision/region-inference.js';
import { videoFrames } from '../../../test/helpers/frames.js';
import { processCpuSeconds } from './ingest-proc.js';

/**
 * The two halves of the "limit" a gateway cannot do better than: decoding the streams (ffmpeg -f null, nothing
 * after the decoder) and running the detector at the rate the rules need, each measured alone.
 */

/** Cores one `ffmpeg -i rtsp://... -f null -` of each URL uses, all decoded at once for `seconds`. */
export async function decodeCores<K extends string>(urls: ReadonlyMap<K, string>, seconds: number): Promise<Map<K, number>> {
  const started = performance.now();
  const children = [...urls].map(([name, url]) => ({
    name,
    child: spawn(ffmpegBinary(), ['-hide_banner', '-nostdin', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', url, '-f', 'null', '-'], { stdio: 'ignore' }),
  }));
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const wall = (performance.now() - started) / 1000;
  const result = new Map<K, number>();
  for (const { name, child } of children) {
    const cpu = child.pid === undefined ? undefined : processCpuSeconds(child.pid);
    if (cpu === undefined) throw new Error(`ffmpeg decoding ${name} exited before it was measured`);
    result.set(name, cpu / wall);
  }
  await Promise.all(
    children.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          child.once('close', () => {
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  return result;
}

export interface DetectorCost {
  readonly model: string;
  readonly threads: number;
  /** CPU (all threads) per detector run on a whole 1280x720 frame, letterbox to NMS. */
  readonly cpuMsPerRun: number;
  readonly wallMsP50: number;
}

/** Frames of the footage with people on the path, the plaza and the lawn. */
const FRAMES = [60, 160, 260, 360, 460, 520, 560, 600, 660, 760];
const WARMUP = 3;

/** The footage frames the detector's cost is measured on, at 1280x720; decoded once per bench. */
export function detectorFrames(): Promise<RgbImage[]> {
  return videoFrames(footageSource(), FRAMES, { width: 1280, height: 720 });
}

/**
 * The runtime's detector (the manifest's default build with the other input shapes vision.detector.input loads,
 * vision.threads default) run back to back on `frames` (detectorFrames()).
 */
export async function detectorCost(runs: number, frames: readonly RgbImage[]): Promise<DetectorCost> {
  const vision = visionSchema.parse({});
  const manifest = await readManifest(join(DEFAULT_MODELS_DIR, 'manifest.json'));
  const entry = selectModel(manifest, 'detector', undefined);
  const inputs = vision.detector.input === 'fit' ? inputVariants(manifest, entry) : [];
  const session = new ModelSession({ modelsDir: DEFAULT_MODELS_DIR, entry, inputs, threads: vision.threads, queueSize: 4 });
  await session.start();
  try {
    const detector = new Detector({ session, config: vision.detector });
    detector.start();
    const frame = (i: number) => frames[i % frames.length] ?? { width: 0, height: 0, data: Buffer.alloc(0) };
    for (let i = 0; i < WARMUP; i += 1) await detector.detect(frame(i), { camera: 'bench' });
    const walls: number[] = [];
    const before = process.cpuUsage();
    for (let i = 0; i < runs; i += 1) {
      const start = performance.now();
      await detector.detect(frame(i), { camera: 'bench' });
      walls.push(performance.now() - start);
    }
    const cpu = process.cpuUsage(before);
    walls.sort((a, b) => a - b);
    return { model: fittingInput(session.inputs, 1280, 720).name, threads: vision.threads, cpuMsPerRun: (cpu.user + cpu.system) / 1000 / runs, wallMsP50: walls[Math.floor(walls.length / 2)] ?? 0 };
  } finally {
    await session.stop();
  }
}
