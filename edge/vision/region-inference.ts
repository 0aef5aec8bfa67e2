import type { RgbImage } from '../ingest/frame.js';
import type { Box } from '../geometry/geometry.js';
import { inputSize, toInputTensor } from './input-tensor.js';
import { cropRegion, letterbox, type LetterboxTransform } from './letterbox.js';
import type { ModelEntry } from './manifest.js';
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
  const region = cropRegion(image, options.roi);
  if (region === undefined) return undefined;
  const build = fittingInput(session.inputs, region.x2 - region.x1, region.y2 - region.y1);
  const { input } = build;
  const size = inputSize(input);
  const { pixels, placement, transform } = await letterbox(image, region, size);
  const outputs = await session.run(options.camera ?? UNNAMED_CAMERA, toInputTensor(pixels, input, placement), build);
  return { outputs, transform, size };
}

/**
 * The smallest of the builds (the entry first, then its other input shapes smallest first, as ModelSession.inputs
 * lists them) whose input holds a region of `width` x `height` at the scale the entry's own input gives it (to the
 * rounding of one pixel), so objects keep their pixels and only padding is saved: a 1280x720 frame is 416x234 in the
 * 416x416 input and in a 416x256 one alike.
 */
export function fittingInput(builds: readonly ModelEntry[], width: number, height: number): ModelEntry {
  const [entry, ...others] = builds;
  if (entry === undefined) throw new Error('no model build to run');
  const own = inputSize(entry.input);
  const scale = Math.min(own.width / width, own.height / height);
  const holds = (build: ModelEntry): boolean => {
    const size = inputSize(build.input);
    return size.width >= Math.round(width * scale) && size.height >= Math.round(height * scale);
  };
  return others.find(holds) ?? entry;
}
