import type { RgbImage } from '../ingest/frame.js';
import type { Box } from '../geometry/geometry.js';
import { inputSize, neutralFill, toInputTensor } from './input-tensor.js';
import { cropRegion, letterbox, type LetterboxTransform } from './letterbox.js';
import type { ModelOutputs, ModelSession } from './model-session.js';

/** Queue key of a run no camera asked for (tests, benchmarks, the speaker test's picture). */
export const UNNAMED_CAMERA = '-';

export interface RegionRun {
  readonly outputs: ModelOutputs;
  /** Maps model pixels back to the picture's pixels. */
  readonly transform: LetterboxTransform;
  readonly size: { readonly width: number; readonly height: number };
}

/**
 * The input side every box-finding model shares: crop the region of interest (or take the whole picture), letterbox
 * it to the model's input with sharp, normalize as the manifest says, and run it through the shared session.
 * Undefined when the region lies outside the picture.
 */
export async function runOnRegion(session: ModelSession, image: RgbImage, options: { readonly roi?: Box; readonly camera?: string }): Promise<RegionRun | undefined> {
  const { input } = session.entry;
  const region = cropRegion(image, options.roi);
  if (region === undefined) return undefined;
  const size = inputSize(input);
  const { pixels, transform } = await letterbox(image, region, { ...size, fill: neutralFill(input) });
  const outputs = await session.run(options.camera ?? UNNAMED_CAMERA, toInputTensor(pixels, input));
  return { outputs, transform, size };
}
