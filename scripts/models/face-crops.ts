import type { InferenceSession } from 'onnxruntime-node';
import { faces, runOutputs } from './accuracy.js';
import type { ModelSpec } from './catalog.js';
import type { ValueInfo } from './onnx-graph.js';
import type { RgbPicture } from './preprocess.js';
import { cropPicture, imagePicture, inputSize, toTensorData } from './preprocess.js';

export interface FaceRegion {
  readonly path: string;
  readonly x: number;
  readonly y: number;
  readonly side: number;
}

/** Face score the build trusts when it cuts face crops for the embedder. */
const CROP_SCORE = 0.6;

/**
 * Finds the faces in the fixture photos with the FP32 face detector (each photo letterboxed whole, then each half
 * again, so smaller faces are found too) and returns square regions around them, in file pixels, without duplicates.
 */
export async function findFaceRegions(detector: InferenceSession, spec: ModelSpec, outputs: readonly ValueInfo[], photos: readonly string[]): Promise<FaceRegion[]> {
  const size = inputSize(spec.input);
  const regions: FaceRegion[] = [];
  for (const path of photos) {
    const picture = await imagePicture(path, size);
    const found = faces(await runOutputs(detector, outputs, toTensorData(picture, spec.input), spec.input.shape), size.width, CROP_SCORE);
    for (const face of found) {
      const side = Math.max(face.box.x2 - face.box.x1, face.box.y2 - face.box.y1) * 1.4 * picture.scale;
      const cx = ((face.box.x1 + face.box.x2) / 2) * picture.scale;
      const cy = ((face.box.y1 + face.box.y2) / 2) * picture.scale;
      const overlaps = regions.some((r) => r.path === path && Math.abs(r.x + r.side / 2 - cx) < r.side / 3 && Math.abs(r.y + r.side / 2 - cy) < r.side / 3);
      if (!overlaps) regions.push({ path, x: cx - side / 2, y: cy - side / 2, side });
    }
  }
  return regions;
}

export function cropFaces(regions: readonly FaceRegion[], size: { width: number; height: number }): Promise<RgbPicture[]> {
  return Promise.all(regions.map((r) => cropPicture(r.path, r, size)));
}
