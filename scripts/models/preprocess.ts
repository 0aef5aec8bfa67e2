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

/** An image file letterboxed to the model size like the video frames; `scale` maps model pixels back to the file's. */
export async function imagePicture(path: string, size: { width: number; height: number }): Promise<RgbPicture & { scale: number }> {
  const image = sharp(await readFile(path)).removeAlpha();
  const { width, height } = await image.metadata();
  const scale = Math.max(width / size.width, height / size.height);
  const { data } = await image
    .resize(Math.round(width / scale), Math.round(height / scale), { fit: 'fill' })
    .extend({ right: size.width - Math.round(width / scale), bottom: size.height - Math.round(height / scale), background: '#000' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { source: path, width: size.width, height: size.height, rgb: new Uint8Array(data), scale };
}

/** A square region of an image file (clamped to the image) resized to the model size. */
export async function cropPicture(path: string, region: { x: number; y: number; side: number }, size: { width: number; height: number }): Promise<RgbPicture> {
  const image = sharp(await readFile(path)).removeAlpha();
  const { width, height } = await image.metadata();
  const side = Math.min(Math.round(region.side), width, height);
  const left = Math.max(0, Math.min(width - side, Math.round(region.x)));
  const top = Math.max(0, Math.min(height - side, Math.round(region.y)));
  const { data } = await image
    .extract({ left, top, width: side, height: side })
    .resize(size.width, size.height, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { source: `${path}[${String(left)},${String(top)},${String(side)}]`, width: size.width, height: size.height, rgb: new Uint8Array(data) };
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
