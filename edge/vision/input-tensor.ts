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

/** Where the scaled picture sits in the model's input (letterboxing); the rest of the input is neutral padding. */
export interface Placement {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly top: number;
}

/**
 * Packed RGB24 pixels to the model's float input: channel order, (value - mean) / std, layout, all from the manifest,
 * so a model built with other conventions needs no code change. Without a placement the pixels fill the whole input;
 * with one they are `placement.width` x `placement.height` at its corner, and the padding around them is the neutral
 * fill (written here rather than by sharp: each extra sharp operation costs about a millisecond of CPU per run).
 */
export function toInputTensor(pixels: Uint8Array, input: ModelInput, placement?: Placement): Float32Array {
  const { width, height } = inputSize(input);
  const place = placement ?? { width, height, left: 0, top: 0 };
  if (place.left < 0 || place.top < 0 || place.left + place.width > width || place.top + place.height > height) {
    throw new Error(`a ${place.width}x${place.height} picture at (${place.left},${place.top}) does not fit the ${width}x${height} input`);
  }
  if (pixels.length !== place.width * place.height * 3) throw new Error(`expected ${place.width * place.height * 3} bytes of RGB pixels, got ${pixels.length}`);
  const plane = width * height;
  const padded = place.width !== width || place.height !== height;
  const fill = neutralFill(input);
  const planar = input.layout === 'NCHW';
  // Within a channel, the step from one pixel to the next in the target: 1 in a plane, 3 when interleaved.
  const step = planar ? 1 : 3;
  const target = new Float32Array(plane * 3);
  // Source offset (within one RGB pixel) of each model channel.
  const source = input.channels === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  for (let c = 0; c < 3; c += 1) {
    const from = source[c] ?? c;
    const mean = input.mean[c] ?? 0;
    const scale = 1 / (input.std[c] ?? 1);
    const base = planar ? c * plane : c;
    if (padded) {
      const pad = ((fill[from] ?? 0) - mean) * scale;
      for (let i = 0; i < plane; i += 1) target[base + i * step] = pad;
    }
    for (let y = 0; y < place.height; y += 1) {
      let at = base + ((place.top + y) * width + place.left) * step;
      let src = y * place.width * 3 + from;
      for (let x = 0; x < place.width; x += 1, at += step, src += 3) target[at] = ((pixels[src] ?? 0) - mean) * scale;
    }
  }
  return target;
}
