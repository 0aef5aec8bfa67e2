import type { ModelEntry } from './manifest.js';

export type ModelInput = ModelEntry['input'];

/** Width and height the model's input expects, read from its shape and layout. */
export function inputSize(input: ModelInput): { width: number; height: number } {
  const [, a, b, c] = input.shape;
  const [height, width] = input.layout === 'NCHW' ? [b, c] : [a, b];
  if (input.shape.length !== 4 || width === undefined || height === undefined) throw new Error(`expected a 4-d image input, got shape [${input.shape.join(',')}]`);
  return { width, height };
}

/** The RGB pixel value that normalizes to zero in every channel: the neutral padding colour. */
export function neutralFill(input: ModelInput): [number, number, number] {
  const [m0, m1, m2] = input.mean.map((value) => Math.round(Math.min(255, Math.max(0, value))));
  return input.channels === 'RGB' ? [m0 ?? 0, m1 ?? 0, m2 ?? 0] : [m2 ?? 0, m1 ?? 0, m0 ?? 0];
}

/**
 * Packed RGB24 pixels (width x height) to the model's float input: channel order, (value - mean) / std, layout,
 * all from the manifest, so a model built with other conventions needs no code change.
 */
export function toInputTensor(pixels: Uint8Array, input: ModelInput): Float32Array {
  const { width, height } = inputSize(input);
  const plane = width * height;
  if (pixels.length !== plane * 3) throw new Error(`expected ${plane * 3} bytes of RGB pixels, got ${pixels.length}`);
  const target = new Float32Array(plane * 3);
  // Source offset (within one RGB pixel) of each model channel.
  const source = input.channels === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  for (let c = 0; c < 3; c += 1) {
    const from = source[c] ?? c;
    const mean = input.mean[c] ?? 0;
    const scale = 1 / (input.std[c] ?? 1);
    if (input.layout === 'NCHW') {
      const base = c * plane;
      for (let i = 0; i < plane; i += 1) target[base + i] = ((pixels[i * 3 + from] ?? 0) - mean) * scale;
    } else {
      for (let i = 0; i < plane; i += 1) target[i * 3 + c] = ((pixels[i * 3 + from] ?? 0) - mean) * scale;
    }
  }
  return target;
}
