import { join } from 'node:path';
import type { VisionConfig } from '../config/vision.js';
import { FaceDetector } from '../vision/face-detector.js';
import { FaceEmbedder } from '../vision/face-embedder.js';
import { DEFAULT_MODELS_DIR, readManifest, selectModel } from '../vision/manifest.js';
import { ModelSession } from '../vision/model-session.js';
import { namedPrecision } from '../vision/precision-choice.js';

export interface FaceModels {
  readonly detector: FaceDetector;
  readonly embedder: FaceEmbedder;
  /** The manifest names of the two builds, e.g. blazeface-fp32 and faceres-int8 (the score is calibrated per build). */
  readonly names: { readonly detector: string; readonly embedder: string };
  stop(): Promise<void>;
}

/**
 * The face detector and embedder alone, for commands that work on photos (`faces compare`, enrollment): unlike the
 * VisionRuntime of a running gateway they skip the object detector and fail loudly (MODEL_*) instead of degrading.
 * `auto` precision is the manifest's default here: it is what the gateway's auto keeps for the face models too (the
 * face detector's INT8 failed its gate, the embedder's score is calibrated for its default build).
 */
export async function openFaceModels(config: VisionConfig): Promise<FaceModels> {
  const modelsDir = config.modelsDir ?? DEFAULT_MODELS_DIR;
  const manifestPath = join(modelsDir, 'manifest.json');
  const manifest = await readManifest(manifestPath);
  const detectorSession = new ModelSession({
    modelsDir,
    entry: selectModel(manifest, 'face-detector', namedPrecision(config.precision.faceDetector), manifestPath),
    threads: config.threads,
    queueSize: config.queueSize,
  });
  const embedderSession = new ModelSession({
    modelsDir,
    entry: selectModel(manifest, 'face-embedder', namedPrecision(config.precision.faceEmbedder), manifestPath),
    threads: config.threads,
    queueSize: config.queueSize,
  });
  const stop = async (): Promise<void> => {
    await Promise.all([detectorSession.stop(), embedderSession.stop()]);
  };
  try {
    await detectorSession.start();
    await embedderSession.start();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    detector: new FaceDetector({ session: detectorSession, config: config.faceDetector }),
    embedder: new FaceEmbedder({ session: embedderSession }),
    names: { detector: detectorSession.entry.name, embedder: embedderSession.entry.name },
    stop,
  };
}
