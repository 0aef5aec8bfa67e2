import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ffmpegBinary } from '../../../edge/ingest/ffmpeg-process.js';
import { footageSource, packageRoot } from '../../devkit/footage.js';

/** The streams the capacity bench serves: the footage as it is, mirrored, and a still scene of it. */
export const VARIANTS = ['plain', 'mirrored', 'quiet'] as const;
export type Variant = (typeof VARIANTS)[number];

/** vtest.avi's length. */
export const CLIP_SECONDS = 79.5;
/** The still of the quiet scenes: six people standing on the path and the plaza, nobody on the lawn. */
const QUIET_STILL_AT = 20;
const SIZE = { width: 1280, height: 720 } as const;

/** Seconds into the footage where the cut of its last `seconds` starts (the pond alerts come at 50-66 s). */
export function cutStart(seconds: number): number {
  return Math.round((CLIP_SECONDS - seconds) * 10) / 10;
}

function filters(variant: Variant): string {
  const scale = `scale=${String(SIZE.width)}:${String(SIZE.height)}`;
  switch (variant) {
    case 'plain':
      return scale;
    case 'mirrored':
      return `${scale},hflip`;
    case 'quiet':
      // One frame repeated, with light temporal sensor noise so the encoder and the motion gate see a live picture.
      return `loop=loop=-1:size=1:start=0,${scale},noise=alls=4:allf=t`;
  }
}

/**
 * The last `seconds` of the footage as an IP camera would send it at 1280x720: H.264 baseline, 10 fps, a keyframe
 * every second (as edge/ingest/footage.ts encodes it). Cached in <root>/.cache/media; written to a temp name and
 * renamed, so an interrupted run never leaves half a file under the real name.
 */
export async function variantMp4(variant: Variant, seconds: number): Promise<string> {
  const start = variant === 'quiet' ? QUIET_STILL_AT : cutStart(seconds);
  const dir = join(packageRoot(), '.cache', 'media');
  const name = `capacity-${variant}-${String(SIZE.width)}x${String(SIZE.height)}-${String(start)}-${String(seconds)}.mp4`;
  const target = join(dir, name);
  if (existsSync(target)) return target;
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${name}.${String(process.pid)}.tmp.mp4`);
  const args = [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-ss', String(start), '-i', footageSource(), '-vf', filters(variant), '-t', String(seconds)],
    ...['-an', '-c:v', 'libx264', '-profile:v', 'baseline', '-tune', 'zerolatency', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'],
    ...['-g', '10', '-keyint_min', '10', '-sc_threshold', '0', '-r', '10', '-movflags', '+faststart', temp],
  ];
  try {
    await encode(args);
    renameSync(temp, target);
  } finally {
    rmSync(temp, { force: true });
  }
  return target;
}

function encode(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg exited with ${String(code)} encoding a capacity variant: ${stderr.trim()}`));
    });
  });
}
