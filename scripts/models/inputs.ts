import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelSpec } from './catalog.js';
import type { FaceRegion } from './face-crops.js';
import { cropFaces } from './face-crops.js';
import type { RgbPicture } from './preprocess.js';
import { imagePicture, inputSize, videoFrames } from './preprocess.js';

export interface BuildPaths {
  readonly root: string;
  readonly video: string;
  readonly facesDir: string;
}

/** 20 calibration times spread over vtest.avi's 79.5 s, and 10 held-out times between them for the accuracy gate. */
export const CALIBRATION_TIMES = Array.from({ length: 20 }, (_, i) => 2 + i * 3.8);
export const HELD_OUT_TIMES = Array.from({ length: 10 }, (_, i) => 3.9 + i * 7.6);

export async function faceImages(facesDir: string): Promise<string[]> {
  const names = (await readdir(facesDir)).filter((n) => /\.jpe?g$/i.test(n)).sort();
  return names.map((n) => join(facesDir, n));
}

export interface PictureSets {
  readonly calibration: RgbPicture[];
  readonly heldOut: RgbPicture[];
  readonly description: string;
}

/**
 * Real pictures at the model's input size. Detector: vtest frames. Face detector: the fixture photos whole plus a
 * zoomed view around each face (faces of 20-100 px); with only six photos there is no held-out face set, so its gate
 * runs on the calibration pictures. Embedder: face crops, odd ones calibrate, even ones are held out.
 */
export async function pictureSets(spec: ModelSpec, paths: BuildPaths, regions: readonly FaceRegion[]): Promise<PictureSets> {
  const size = inputSize(spec.input);
  switch (spec.role) {
    case 'detector':
      return {
        calibration: await videoFrames(paths.video, CALIBRATION_TIMES, size),
        heldOut: await videoFrames(paths.video, HELD_OUT_TIMES, size),
        description: `${String(CALIBRATION_TIMES.length)} vtest.avi frames at ${CALIBRATION_TIMES.map((t) => t.toFixed(1)).join(', ')} s (letterboxed); gate on 10 other frames`,
      };
    case 'face-detector': {
      const photos = await Promise.all((await faceImages(paths.facesDir)).map((p) => imagePicture(p, size)));
      const zoomed = await cropFaces(
        regions.map((r) => ({ ...r, x: r.x - r.side, y: r.y - r.side, side: r.side * 3 })),
        size,
      );
      const all = [...photos, ...zoomed];
      return { calibration: all, heldOut: all, description: `the ${String(photos.length)} face fixture photos letterboxed, plus ${String(zoomed.length)} zoomed views around their faces` };
    }
    case 'face-embedder': {
      const crops = await cropFaces(regions, size);
      return {
        calibration: crops.filter((_, i) => i % 2 === 1),
        heldOut: crops.filter((_, i) => i % 2 === 0),
        description: `${String(Math.floor(crops.length / 2))} face crops (1.4 x the FP32 blazeface box) from the face fixture photos; gate on the other ${String(Math.ceil(crops.length / 2))}`,
      };
    }
    default: {
      const role: never = spec.role;
      throw new Error(`unknown role ${String(role)}`);
    }
  }
}
