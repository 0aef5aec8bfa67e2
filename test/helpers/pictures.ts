import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { RgbImage } from '../../edge/ingest/frame.js';
import type { Box } from '../../edge/geometry/geometry.js';

/**
 * Bound of the mean absolute difference (grey levels, over every channel of every compared pixel) that JPEG leaves on
 * a frame of vtest.avi: measured 1.7-2.4 at the gateway's qualities (80-85). The neighbouring frame (0.1 s) is 3-5
 * levels off, frames seconds apart 8-10 (the scene is mostly still background), the garbled 4-channel snapshot of
 * issue 12 about 74.
 */
export const JPEG_NOISE = 4;

/** Pixels this far from a drawn outline are compared with the source: the stroke's antialiasing and JPEG ringing stay inside. */
const OUTLINE_MARGIN = 6;

export interface Rect {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** Decodes a JPEG to RGB24, checking it is one. */
export async function decodeJpeg(jpeg: Buffer): Promise<RgbImage> {
  assert.equal(jpeg.subarray(0, 2).toString('hex'), 'ffd8', 'a JPEG');
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 3);
  return { width: info.width, height: info.height, data };
}

/** Mean absolute difference of two same-sized pictures over the pixels `compared` keeps (all by default). */
export function meanAbsDiff(a: RgbImage, b: RgbImage, compared: (x: number, y: number) => boolean = () => true): number {
  assert.deepEqual([a.width, a.height], [b.width, b.height], 'pictures of the same size');
  let sum = 0;
  let count = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      if (!compared(x, y)) continue;
      const offset = (y * a.width + x) * 3;
      for (let channel = 0; channel < 3; channel++) sum += Math.abs((a.data[offset + channel] ?? 0) - (b.data[offset + channel] ?? 0));
      count += 3;
    }
  }
  assert.ok(count > 0, 'some pixels compared');
  return sum / count;
}

/** The part of a picture inside `rect`. */
export function region(image: RgbImage, rect: Rect): RgbImage {
  const data = Buffer.alloc(rect.width * rect.height * 3);
  for (let y = 0; y < rect.height; y++) {
    const from = ((rect.top + y) * image.width + rect.left) * 3;
    image.data.copy(data, y * rect.width * 3, from, from + rect.width * 3);
  }
  return { width: rect.width, height: rect.height, data };
}

/** True for pixels away from the outline of `box` (inside or outside it). */
export function awayFromOutline(box: Box, margin = OUTLINE_MARGIN): (x: number, y: number) => boolean {
  const near = (value: number, edge: number): boolean => Math.abs(value - edge) <= margin;
  const withinX = (x: number): boolean => x >= box.x1 - margin && x <= box.x2 + margin;
  const withinY = (y: number): boolean => y >= box.y1 - margin && y <= box.y2 + margin;
  return (x, y) => !(((near(x, box.x1) || near(x, box.x2)) && withinY(y)) || ((near(y, box.y1) || near(y, box.y2)) && withinX(x)));
}

/**
 * Share of the pixels on the outline of `box` that are red (R high, G and B low): the pixel column (row) each side's
 * stroke is centred on, along the middle of the side, away from the corners.
 */
export function redOutlineShare(image: RgbImage, box: Box): number {
  const column = (x: number): number => Math.min(image.width - 1, Math.max(0, Math.floor(x)));
  const row = (y: number): number => Math.min(image.height - 1, Math.max(0, Math.floor(y)));
  const points: [number, number][] = [];
  const inset = 4;
  for (let x = column(box.x1) + inset; x <= column(box.x2) - inset; x++) points.push([x, row(box.y1)], [x, row(box.y2)]);
  for (let y = row(box.y1) + inset; y <= row(box.y2) - inset; y++) points.push([column(box.x1), y], [column(box.x2), y]);
  const red = points.filter(([x, y]) => {
    const offset = (y * image.width + x) * 3;
    const [r, g, b] = [image.data[offset] ?? 0, image.data[offset + 1] ?? 0, image.data[offset + 2] ?? 0];
    return r >= 160 && g <= 110 && b <= 110;
  });
  return red.length / points.length;
}

/**
 * Asserts that `picture` is `source` with the red outline of `box` drawn on it: the same size, every pixel away from
 * the outline within JPEG noise of the source, the outline red.
 */
export function assertFrameWithBox(picture: RgbImage, source: RgbImage, box: Box, what: string): void {
  assert.deepEqual([picture.width, picture.height], [source.width, source.height], `${what}: size`);
  const difference = meanAbsDiff(picture, source, awayFromOutline(box));
  assert.ok(difference < JPEG_NOISE, `${what}: away from the box it differs from the source frame by ${difference.toFixed(2)} grey levels on average`);
  const red = redOutlineShare(picture, box);
  assert.ok(red > 0.9, `${what}: ${(red * 100).toFixed(0)}% of the box outline is red`);
}

/** Asserts that `picture` is `source` (within JPEG noise), e.g. a camera's picture without drawings. */
export function assertSamePicture(picture: RgbImage, source: RgbImage, what: string, bound = JPEG_NOISE): void {
  assert.deepEqual([picture.width, picture.height], [source.width, source.height], `${what}: size`);
  const difference = meanAbsDiff(picture, source);
  assert.ok(difference < bound, `${what}: differs from the source by ${difference.toFixed(2)} grey levels on average`);
}
