import sharp from 'sharp';
import { HuxiaoError } from '../errors.js';
import { startTool } from '../process/tool.js';
import { redactUrl } from './camera-url.js';
import { liveArgs, type Camera } from './ffmpeg-args.js';
import { ffmpegTool } from './ffmpeg-process.js';
import type { RgbImage } from './frame.js';
import { classifyStderrLine, worstFault, type ClassifiedLine } from './stderr-classifier.js';

export interface SnapshotOptions {
  /** Give up after this long (default 20 s: RTSP setup plus waiting for a keyframe). */
  readonly timeoutMs?: number;
}

/** One frame from the camera at its detect size, as an owned RGB24 image (zones are drawn on it later). */
export async function takeSnapshot(camera: Camera, options: SnapshotOptions = {}): Promise<RgbImage> {
  const { width, height } = camera.detect;
  const data = Buffer.alloc(width * height * 3);
  const timeoutMs = options.timeoutMs ?? 20_000;
  const lines: ClassifiedLine[] = [];
  const ffmpeg = startTool({
    ...ffmpegTool(liveArgs(camera, { frames: 1 })),
    stdout: 'pipe',
    onStderrLine: (line) => {
      const classified = classifyStderrLine(line);
      if (classified !== undefined) lines.push(classified);
    },
    timeoutMs,
    killGraceMs: 500,
  });
  let filled = 0;
  ffmpeg.stdout.on('data', (chunk: Buffer) => {
    filled += chunk.copy(data, filled);
  });
  const exit = await ffmpeg.exited;
  if (exit.kind === 'spawn-error') throw exit.error;
  if (filled === data.length) return { width, height, data };
  const where = `camera ${camera.id} (${redactUrl(camera.url)})`;
  if (exit.kind === 'timeout') throw new HuxiaoError('SNAPSHOT_FAILED', `${where}: no frame within ${String(timeoutMs)} ms`);
  const cause = worstFault(lines);
  throw new HuxiaoError('SNAPSHOT_FAILED', `${where}: ${cause === undefined ? 'ffmpeg delivered no frame' : `${cause.fault}: ${cause.text}`}`);
}

/** JPEG bytes of an RGB24 image. */
export function encodeJpeg(image: RgbImage, quality = 85): Promise<Buffer> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}
