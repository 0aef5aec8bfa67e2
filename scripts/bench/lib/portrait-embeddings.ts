import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { visionSchema } from '../../../edge/config/vision.js';
import { alignmentLandmarks, FaceDetector } from '../../../edge/vision/face-detector.js';
import { FaceEmbedder } from '../../../edge/vision/face-embedder.js';
import { DEFAULT_MODELS_DIR, readManifest, selectModel } from '../../../edge/vision/manifest.js';
import { ModelSession } from '../../../edge/vision/model-session.js';

export interface PortraitEmbedding {
  readonly person: string;
  readonly vector: Float32Array;
}

/** The shared face portraits: <dir>/<person>/<person>N.png (see shared/faces/README.md). */
export function defaultFacesDir(): string {
  return process.env.HUXIAO_FACES_DIR ?? new URL('../../../../../shared/faces/', import.meta.url).pathname;
}

/**
 * Embeddings of every portrait in which the shipped face detector finds a face, with the shipped embedder (the models
 * of models/manifest.json, default precision): the real distribution the synthetic gallery is shaped after.
 */
export async function portraitEmbeddings(facesDir: string): Promise<PortraitEmbedding[]> {
  const manifest = await readManifest(`${DEFAULT_MODELS_DIR}manifest.json`);
  const open = async (role: 'face-detector' | 'face-embedder'): Promise<ModelSession> => {
    const session = new ModelSession({ modelsDir: DEFAULT_MODELS_DIR, entry: selectModel(manifest, role, undefined), threads: 2, queueSize: 4 });
    await session.start();
    return session;
  };
  const detectorSession = await open('face-detector');
  const embedderSession = await open('face-embedder');
  try {
    const detector = new FaceDetector({ session: detectorSession, config: visionSchema.parse({}).faceDetector });
    const embedder = new FaceEmbedder({ session: embedderSession });
    const people = readdirSync(facesDir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    const embeddings: PortraitEmbedding[] = [];
    for (const person of people) {
      for (const file of readdirSync(join(facesDir, person)).filter((name) => name.endsWith('.png')).sort()) {
        const { data, info } = await sharp(join(facesDir, person, file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
        const image = { width: info.width, height: info.height, data };
        const [face] = (await detector.detect(image)).sort((a, b) => b.score - a.score);
        if (face !== undefined) embeddings.push({ person, vector: await embedder.embed(image, alignmentLandmarks(face)) });
      }
    }
    return embeddings;
  } finally {
    await Promise.all([detectorSession.stop(), embedderSession.stop()]);
  }
}
