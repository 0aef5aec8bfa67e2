import sharp from 'sharp';
import type { RgbImage } from './frame.js';

/**
 * The picture with an SVG drawing of the same size painted over it, as RGB24 again. sharp composites in RGBA and
 * hands back four channels unless told otherwise; read as RGB24, those rows came out as grey stripes with the scene
 * three times side by side (the garbled alert snapshots of issue 12). Every overlay goes through here for that reason.
 */
export async function drawOverlay(image: RgbImage, svg: string): Promise<RgbImage> {
  const { width, height } = image;
  const { data, info } = await sharp(image.data, { raw: { width, height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== width || info.height !== height) {
    throw new Error(`overlay gave a ${String(info.width)}x${String(info.height)} picture of ${String(info.channels)} channels, expected ${String(width)}x${String(height)} RGB`);
  }
  return { width, height, data };
}
