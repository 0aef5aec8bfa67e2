import { createHash } from 'node:crypto';
import sharp, { type Sharp } from 'sharp';
import type { AlertsConfig } from '../config/alerts.js';
import type { RgbImage } from '../ingest/frame.js';
import { drawOverlay } from '../ingest/overlay.js';
import type { Box } from '../geometry/geometry.js';

export interface Jpeg {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
  /** Hex sha256 of `data`: the content hash stored and published with the picture. */
  readonly sha256: string;
}

export interface RenderedSnapshot {
  /** The deciding frame with the box drawn. */
  readonly frame: Jpeg;
  /** Tight crop around the box (with padding); null without a box. */
  readonly crop: Jpeg | null;
}

async function toJpeg(pipeline: Sharp, quality: number): Promise<Jpeg> {
  const { data, info } = await pipeline.jpeg({ quality, mozjpeg: false }).toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, sha256: createHash('sha256').update(data).digest('hex') };
}

function clampBox(box: Box, width: number, height: number, padding: number): { left: number; top: number; width: number; height: number } {
  const padX = (box.x2 - box.x1) * padding;
  const padY = (box.y2 - box.y1) * padding;
  const left = Math.max(0, Math.floor(box.x1 - padX));
  const top = Math.max(0, Math.floor(box.y1 - padY));
  const right = Math.min(width, Math.ceil(box.x2 + padX));
  const bottom = Math.min(height, Math.ceil(box.y2 + padY));
  return { left, top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) };
}

function boxOverlay(box: Box, width: number, height: number): string {
  const stroke = Math.max(2, Math.round(width / 320));
  const x = Math.max(0, box.x1);
  const y = Math.max(0, box.y1);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}">` +
    `<rect x="${String(x)}" y="${String(y)}" width="${String(Math.max(1, Math.min(width, box.x2) - x))}" height="${String(Math.max(1, Math.min(height, box.y2) - y))}" ` +
    `fill="none" stroke="#ff2020" stroke-width="${String(stroke)}"/></svg>`
  );
}

/** Encodes the alert pictures off the event loop (sharp runs in libvips threads). */
export async function renderSnapshot(image: RgbImage, box: Box | null, options: AlertsConfig['snapshot']): Promise<RenderedSnapshot> {
  const raw = { raw: { width: image.width, height: image.height, channels: 3 as const } };
  const drawn = box === null ? image : await drawOverlay(image, boxOverlay(box, image.width, image.height));
  let frame = sharp(drawn.data, raw);
  if (image.width > options.maxWidth) frame = frame.resize({ width: options.maxWidth });
  const crop = box === null ? null : await toJpeg(sharp(image.data, raw).extract(clampBox(box, image.width, image.height, options.cropPadding)), options.jpegQuality);
  return { frame: await toJpeg(frame, options.jpegQuality), crop };
}
