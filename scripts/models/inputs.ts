import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelSpec } from './catalog.js';
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

/** Pictures at the model's input size: vtest frames for the detector, the face fixture photos for the face models. */
export async function calibrationPictures(spec: ModelSpec, paths: BuildPaths): Promise<RgbPicture[]> {
  const size = inputSize(spec.input);
  if (spec.calibration === 'video') return videoFrames(paths.video, CALIBRATION_TIMES, size);
  return Promise.all((await faceImages(paths.facesDir)).map((path) => imagePicture(path, size)));
}
