import sharp from 'sharp';
import type { RgbImage } from '../ingest/frame.js';
import type { Box } from '../geometry/geometry.js';
import type { Placement } from './input-tensor.js';

/** Maps a point of the model's input picture back to the source frame. */
export interface LetterboxTransform {
  /** Model pixels per source pixel, per axis (rounding the scaled size makes them differ slightly). */
  readonly scaleX: number;
  readonly scaleY: number;
  /** Left / top padding in model pixels. */
  readonly padX: number;
  readonly padY: number;
  /** Top-left corner of the cropped region in the source frame (0,0 without a region). */
  readonly originX: number;
  readonly originY: number;
  /** The region the model saw, in source pixels. */
  readonly region: Box;
}

export interface LetterboxOptions {
  readonly width: number;
  readonly height: number;
}

export interface Letterboxed {
  /** The region scaled to `placement.width` x `placement.height`, packed RGB; toInputTensor pads it to the input. */
  readonly pixels: Buffer;
  readonly placement: Placement;
  readonly transform: LetterboxTransform;
}

/** The whole-pixel region inside the frame that covers `roi` (the full frame without one); undefined when empty. */
export function cropRegion(image: RgbImage, roi: Box | undefined): Box | undefined {
  if (roi === undefined) return { x1: 0, y1: 0, x2: image.width, y2: image.height };
  const x1 = Math.max(0, Math.floor(roi.x1));
  const y1 = Math.max(0, Math.floor(roi.y1));
  const x2 = Math.min(image.width, Math.ceil(roi.x2));
  const y2 = Math.min(image.height, Math.ceil(roi.y2));
  return x2 - x1 >= 1 && y2 - y1 >= 1 ? { x1, y1, x2, y2 } : undefined;
}

/**
 * Scales the frame (or the region) to fit the model's input keeping its aspect ratio, centred: stretching would
 * distort people's proportions the detector learned. The padding around it is the tensor's to write.
 */
export async function letterbox(image: RgbImage, region: Box, options: LetterboxOptions): Promise<Letterboxed> {
  const cropWidth = region.x2 - region.x1;
  const cropHeight = region.y2 - region.y1;
  const scale = Math.min(options.width / cropWidth, options.height / cropHeight);
  const width = Math.max(1, Math.min(options.width, Math.round(cropWidth * scale)));
  const height = Math.max(1, Math.min(options.height, Math.round(cropHeight * scale)));
  const padX = Math.floor((options.width - width) / 2);
  const padY = Math.floor((options.height - height) / 2);
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  if (cropWidth !== image.width || cropHeight !== image.height) {
    pipeline = pipeline.extract({ left: region.x1, top: region.y1, width: cropWidth, height: cropHeight });
  }
  const pixels = await pipeline.resize(width, height, { fit: 'fill', kernel: 'linear' }).raw().toBuffer();
  if (pixels.length !== width * height * 3) throw new Error(`letterbox produced ${pixels.length} bytes, expected ${width * height * 3}`);
  return {
    pixels,
    placement: { width, height, left: padX, top: padY },
    transform: {
      scaleX: width / cropWidth,
      scaleY: height / cropHeight,
      padX,
      padY,
      originX: region.x1,
      originY: region.y1,
      region,
    },
  };
}

/** A box in model pixels back to source-frame pixels, clipped to the region the model saw. */
export function unletterbox(box: Box, transform: LetterboxTransform): Box {
  const { scaleX, scaleY, padX, padY, originX, originY, region } = transform;
  const clipX = (x: number): number => Math.min(region.x2, Math.max(region.x1, x));
  const clipY = (y: number): number => Math.min(region.y2, Math.max(region.y1, y));
  return {
    x1: clipX((box.x1 - padX) / scaleX + originX),
    y1: clipY((box.y1 - padY) / scaleY + originY),
    x2: clipX((box.x2 - padX) / scaleX + originX),
    y2: clipY((box.y2 - padY) / scaleY + originY),
  };
}

/** A point in model pixels back to source-frame pixels (landmarks are not clipped). */
export function unletterboxPoint(x: number, y: number, transform: LetterboxTransform): { x: number; y: number } {
  return { x: (x - transform.padX) / transform.scaleX + transform.originX, y: (y - transform.padY) / transform.scaleY + transform.originY };
}
