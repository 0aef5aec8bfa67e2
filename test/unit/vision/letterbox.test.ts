import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RgbImage } from '../../../edge/ingest/frame.js';
import { cropRegion, letterbox, unletterbox, unletterboxPoint } from '../../../edge/vision/letterbox.js';

/** A black picture with one white rectangle. */
function picture(width: number, height: number, rect: { x1: number; y1: number; x2: number; y2: number }): RgbImage {
  const data = Buffer.alloc(width * height * 3);
  for (let y = rect.y1; y < rect.y2; y += 1) for (let x = rect.x1; x < rect.x2; x += 1) data.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
  return { width, height, data };
}

/** Bounding box of pixels brighter than mid-grey in a packed RGB buffer. */
function brightBox(pixels: Buffer, width: number, height: number): { x1: number; y1: number; x2: number; y2: number } {
  let x1 = width;
  let y1 = height;
  let x2 = 0;
  let y2 = 0;
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      if ((pixels[(y * width + x) * 3] ?? 0) > 200) {
        x1 = Math.min(x1, x);
        y1 = Math.min(y1, y);
        x2 = Math.max(x2, x + 1);
        y2 = Math.max(y2, y + 1);
      }
    }
  }
  return { x1, y1, x2, y2 };
}

describe('letterbox', () => {
  it('keeps the aspect ratio, centres the picture and maps boxes back to frame pixels', async () => {
    const rect = { x1: 200, y1: 100, x2: 400, y2: 300 };
    const image = picture(800, 400, rect);
    const region = cropRegion(image, undefined);
    assert.ok(region);
    const { pixels, placement, transform } = await letterbox(image, region, { width: 200, height: 200 });
    assert.deepEqual(placement, { width: 200, height: 100, left: 0, top: 50 });
    assert.equal(pixels.length, 200 * 100 * 3);
    assert.equal(transform.scaleX, 0.25);
    assert.equal(transform.padY, 50);
    const seen = brightBox(pixels, placement.width, placement.height);
    assert.deepEqual(seen, { x1: 50, y1: 25, x2: 100, y2: 75 });
    const inInput = { x1: seen.x1 + placement.left, y1: seen.y1 + placement.top, x2: seen.x2 + placement.left, y2: seen.y2 + placement.top };
    assert.deepEqual(unletterbox(inInput, transform), rect);
  });

  it('crops to the region of interest and maps back into the full frame', async () => {
    const rect = { x1: 500, y1: 260, x2: 540, y2: 340 };
    const image = picture(800, 600, rect);
    const region = cropRegion(image, { x1: 450.4, y1: 200, x2: 650, y2: 399.6 });
    assert.deepEqual(region, { x1: 450, y1: 200, x2: 650, y2: 400 });
    const { pixels, transform } = await letterbox(image, region, { width: 100, height: 100 });
    const back = unletterbox(brightBox(pixels, 100, 100), transform);
    assert.deepEqual(back, rect);
    assert.deepEqual(unletterboxPoint(0, 0, transform), { x: 450, y: 200 });
  });

  it('clips mapped boxes to the searched region and rejects an empty region', () => {
    const image = picture(100, 100, { x1: 0, y1: 0, x2: 0, y2: 0 });
    assert.equal(cropRegion(image, { x1: 120, y1: 0, x2: 150, y2: 50 }), undefined);
    const transform = { scaleX: 1, scaleY: 1, padX: 0, padY: 0, originX: 10, originY: 10, region: { x1: 10, y1: 10, x2: 60, y2: 60 } };
    assert.deepEqual(unletterbox({ x1: -5, y1: 0, x2: 70, y2: 20 }, transform), { x1: 10, y1: 10, x2: 60, y2: 30 });
  });
});
