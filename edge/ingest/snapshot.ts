import sharp from 'sharp';
import { HuxiaoError } from '../errors.js';
import { LineSplitter } from '../process/line-splitter.js';
import { redactUrl } from './camera-url.js';
import { liveArgs, type Camera } from './ffmpeg-args.js';
import { spawnFfmpeg, stopFfmpeg } from './ffmpeg-process.js';
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
  const child = spawnFfmpeg(liveArgs(camera, { frames: 1 }));
  let filled = 0;
  const lines: ClassifiedLine[] = [];
  const splitter = new LineSplitter();
  const onLine = (line: string): void => {
    const classified = classifyStderrLine(line);
    if (classified !== undefined) lines.push(classified);
  };
  child.stdout.on('data', (chunk: Buffer) => {
    filled += chunk.copy(data, filled);
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    splitter.push(chunk, onLine);
  });
  const outcome = { timedOut: false };
  const timer = setTimeout(() => {
    outcome.timedOut = true;
    void stopFfmpeg(child, 500);
  }, options.timeoutMs ?? 20_000);
  const spawnError = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    let error: NodeJS.ErrnoException | undefined;
    child.on('error', (failure: NodeJS.ErrnoException) => {
      error = failure;
    });
    child.on('close', () => {
      splitter.flush(onLine);
      resolve(error);
    });
  });
  clearTimeout(timer);
  if (spawnError?.code === 'ENOENT') throw new HuxiaoError('FFMPEG_MISSING', 'ffmpeg is not installed or not on PATH');
  if (filled === data.length) return { width, height, data };
  const where = `camera ${camera.id} (${redactUrl(camera.url)})`;
  if (outcome.timedOut) throw new HuxiaoError('SNAPSHOT_FAILED', `${where}: no frame within ${String(options.timeoutMs ?? 20_000)} ms`);
  const cause = worstFault(lines);
  throw new HuxiaoError('SNAPSHOT_FAILED', `${where}: ${cause === undefined ? 'ffmpeg delivered no frame' : `${cause.fault}: ${cause.text}`}`);
}

/** JPEG bytes of an RGB24 image. */
export function encodeJpeg(image: RgbImage, quality = 85): Promise<Buffer> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}
