import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import sharp from 'sharp';

const run = promisify(execFile);

/** How a model wants its pixels: value = (pixel - mean[c]) / std[c] with c in `channels` order. */
export interface InputSpec {
  readonly shape: readonly number[];
  readonly layout: 'NCHW' | 'NHWC';
  readonly channels: 'RGB' | 'BGR';
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

/** A picture already at the model's input size, RGB24, top-left aligned (letterbox padding right/bottom). */
export interface RgbPicture {
  readonly source: string;
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

export function inputSize(spec: InputSpec): { width: number; height: number } {
  const [, a, b, c] = spec.shape;
  return spec.layout === 'NCHW' ? { height: b ?? 0, width: c ?? 0 } : { height: a ?? 0, width: b ?? 0 };
}

/** Letterboxed frames at `times` seconds, decoded by ffmpeg (the same decoder the runtime uses). */
export async function videoFrames(video: string, times: readonly number[], size: { width: number; height: number }): Promise<RgbPicture[]> {
  const pictures: RgbPicture[] = [];
  for (const t of times) {
    const filter = `scale=${String(size.width)}:${String(size.height)}:force_original_aspect_ratio=decrease,pad=${String(size.width)}:${String(size.height)}:0:0:black`;
    const { stdout } = await run(
      'ffmpeg',
      ['-v', 'error', '-ss', t.toFixed(2), '-i', video, '-frames:v', '1', '-vf', filter, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
    );
    if (stdout.length !== size.width * size.height * 3) throw new Error(`${video} at ${t.toFixed(2)} s: ffmpeg returned ${String(stdout.length)} bytes`);
    pictures.push({ source: `${video}@${t.toFixed(2)}s`, width: size.width, height: size.height, rgb: new Uint8Array(stdout) });
  }
  return pictures;
}

/** An image file stretched to the model size (face crops are already roughly square and centred). */
export async function imagePicture(path: string, size: { width: number; height: number }): Promise<RgbPicture> {
  const { data } = await sharp(await readFile(path))
    .removeAlpha()
    .resize(size.width, size.height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { source: path, width: size.width, height: size.height, rgb: new Uint8Array(data) };
}

export function toTensorData(picture: RgbPicture, spec: InputSpec): Float32Array {
  const { width, height, rgb } = picture;
  const plane = width * height;
  const out = new Float32Array(plane * 3);
  const order = spec.channels === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  for (let c = 0; c < 3; c += 1) {
    const source = order[c] ?? 0;
    const mean = spec.mean[c] ?? 0;
    const std = spec.std[c] ?? 1;
    for (let p = 0; p < plane; p += 1) {
      const value = ((rgb[p * 3 + source] ?? 0) - mean) / std;
      out[spec.layout === 'NCHW' ? c * plane + p : p * 3 + c] = value;
    }
  }
  return out;
}
