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
