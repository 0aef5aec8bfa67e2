import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { footageMp4, type FootageOptions } from '../../scripts/devkit/footage.js';
import type { RgbImage } from '../../edge/ingest/frame.js';

export { footageMp4, footageSource, mediaDir, packageRoot } from '../../scripts/devkit/footage.js';

const run = promisify(execFile);

/** The first `seconds` of vtest.avi as camera-like H.264 MP4 (cached under .cache/media). */
export function shortClip(seconds: number, options: Omit<FootageOptions, 'durationSeconds'> = {}): Promise<string> {
  return footageMp4({ ...options, durationSeconds: seconds });
}

/**
 * One picture held still for `seconds`, as H.264 MP4 at `path` (10 fps, baseline, a keyframe a second, as
 * footageMp4() encodes): a camera whose latest frame is known whenever a test asks for it.
 */
export async function stillClip(image: RgbImage, seconds: number, path: string): Promise<string> {
  const raw = `${path}.rgb`;
  await writeFile(raw, image.data);
  try {
    await run('ffmpeg', [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
      ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${String(image.width)}x${String(image.height)}`, '-r', '10', '-i', raw],
      ...['-vf', `loop=loop=${String(seconds * 10 - 1)}:size=1`, '-an', '-c:v', 'libx264', '-profile:v', 'baseline', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'],
      ...['-g', '10', '-r', '10', '-movflags', '+faststart', path],
    ]);
  } finally {
    await rm(raw, { force: true });
  }
  return path;
}

/**
 * A camera panning slowly across a still picture: a `width` x `height` window whose left edge moves from x 0 to
 * `panPx` over `seconds` (10 fps, H.264 as footageMp4() encodes), so everyone in the picture moves left by `panPx`.
 * `offsetAt(frame)` is the window's left edge in the picture at a frame: picture x - offset = frame x.
 */
export async function panClip(picture: string, window: { readonly width: number; readonly height: number; readonly panPx: number; readonly seconds: number }, path: string): Promise<string> {
  const { width, height, panPx, seconds } = window;
  await run('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-loop', '1', '-framerate', '10', '-t', String(seconds), '-i', picture],
    ...['-vf', `crop=${String(width)}:${String(height)}:'floor(${String(panPx)}*t/${String(seconds)})':0,format=yuv420p`],
    ...['-an', '-c:v', 'libx264', '-profile:v', 'baseline', '-preset', 'veryfast', '-g', '10', '-r', '10', '-movflags', '+faststart', path],
  ]);
  return path;
}

/** The pan's window offset at a frame index, as ffmpeg's crop expression computes it (t = frame / 10). */
export function panOffset(window: { readonly panPx: number; readonly seconds: number }, frame: number): number {
  return Math.floor((window.panPx * (frame / 10)) / window.seconds);
}

/** Every frame of a short clip as RGB24 at its own size (decoded by ffmpeg, not cached: the clip is the test's own). */
export async function clipFrames(path: string, width: number, height: number): Promise<RgbImage[]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { encoding: 'buffer', maxBuffer: 1 << 30 });
  const bytes = width * height * 3;
  if (stdout.length % bytes !== 0) throw new Error(`ffmpeg gave ${String(stdout.length)} bytes for ${path}, not whole ${String(width)}x${String(height)} frames`);
  return Array.from({ length: stdout.length / bytes }, (_, i) => ({ width, height, data: Buffer.from(stdout.subarray(i * bytes, (i + 1) * bytes)) }));
}

/** A person cut out of a photo, walking across an empty grey scene: see walkClip(). */
export interface Walk {
  /** Part of the photo with the person: head at the top, as a camera sees someone standing. */
  readonly crop: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly scene: { readonly width: number; readonly height: number };
  /** Left edge of the cut-out in the scene at the start and at the end of the walk; it then stands still. */
  readonly fromX: number;
  readonly toX: number;
  readonly walkSeconds: number;
  readonly seconds: number;
}

/**
 * A clip of one person walking into the picture's zone and staying there: the cut-out moves linearly from fromX to
 * toX over walkSeconds at the bottom of a grey scene, then stands; 10 fps H.264 as footageMp4() encodes.
 */
export async function walkClip(picture: string, walk: Walk, path: string): Promise<string> {
  const { crop, scene, fromX, toX, walkSeconds, seconds } = walk;
  const x = `'${String(fromX)}+(${String(toX - fromX)})*min(t/${String(walkSeconds)},1)'`;
  await run('ffmpeg', [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', `color=c=0x808080:s=${String(scene.width)}x${String(scene.height)}:r=10:d=${String(seconds)}`],
    ...['-loop', '1', '-framerate', '10', '-t', String(seconds), '-i', picture],
    ...['-filter_complex', `[1:v]crop=${String(crop.width)}:${String(crop.height)}:${String(crop.x)}:${String(crop.y)}[p];[0:v][p]overlay=x=${x}:y=${String(scene.height - crop.height)}:shortest=1,format=yuv420p`],
    ...['-an', '-c:v', 'libx264', '-profile:v', 'baseline', '-preset', 'veryfast', '-g', '10', '-r', '10', '-movflags', '+faststart', path],
  ]);
  return path;
}
