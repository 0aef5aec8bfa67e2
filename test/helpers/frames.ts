import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { RgbImage } from '../../edge/ingest/frame.js';

const run = promisify(execFile);

export const VTEST = '/work/shared/media/vtest.avi';
/** vtest.avi is 768x576 at 10 fps; frame indices below count decoded frames from 0. */
export const VTEST_SIZE = { width: 768, height: 576 } as const;

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const cacheDir = join(repoRoot, '.cache', 'frames');

async function probeSize(video: string): Promise<{ width: number; height: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', video]);
  const [width, height] = stdout.trim().split(',').map(Number);
  if (width === undefined || height === undefined || !(width > 0 && height > 0)) throw new Error(`ffprobe gave no size for ${video}: ${stdout}`);
  return { width, height };
}

/**
 * RGB24 pictures of the given frame indices of a video, decoded once by ffmpeg and cached under .cache/frames/
 * (the decode of a whole file costs seconds; tests ask for the same frames on every run). With `size`, ffmpeg scales
 * them as a camera's detect size does.
 */
export async function videoFrames(video: string, indices: readonly number[], size?: { readonly width: number; readonly height: number }): Promise<RgbImage[]> {
  const { width, height } = size ?? (video === VTEST ? VTEST_SIZE : await probeSize(video));
  const frameBytes = width * height * 3;
  const cachePath = (index: number): string => join(cacheDir, `${basename(video)}-${width}x${height}-${index}.rgb`);
  const missing: number[] = [];
  for (const index of new Set(indices)) {
    try {
      await readFile(cachePath(index));
    } catch {
      missing.push(index);
    }
  }
  if (missing.length > 0) {
    missing.sort((a, b) => a - b);
    const select = missing.map((index) => `eq(n\\,${index})`).join('+');
    const scale = size === undefined ? '' : `,scale=${String(width)}:${String(height)}`;
    const { stdout } = await run(
      'ffmpeg',
      ['-v', 'error', '-i', video, '-vf', `select=${select}${scale}`, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
      { encoding: 'buffer', maxBuffer: frameBytes * missing.length + 1024 },
    );
    if (stdout.length !== frameBytes * missing.length) {
      throw new Error(`ffmpeg gave ${stdout.length} bytes for frames ${missing.join(',')} of ${video}, expected ${frameBytes * missing.length}`);
    }
    await mkdir(cacheDir, { recursive: true });
    for (const [position, index] of missing.entries()) {
      const temp = `${cachePath(index)}.${process.pid}.tmp`;
      await writeFile(temp, stdout.subarray(position * frameBytes, (position + 1) * frameBytes));
      await rename(temp, cachePath(index));
    }
  }
  return Promise.all(indices.map(async (index) => ({ width, height, data: await readFile(cachePath(index)) })));
}

export function vtestFrames(indices: readonly number[]): Promise<RgbImage[]> {
  return videoFrames(VTEST, indices);
}
