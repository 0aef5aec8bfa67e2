import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HuxiaoError } from '../../edge/errors.js';
import { ffmpegTool } from '../../edge/ingest/ffmpeg-process.js';
import { runTool } from '../../edge/process/run-tool.js';
import { describeExit, succeeded } from '../../edge/process/tool.js';

/** The repository (or installed package) root: the nearest parent holding huxiao-edge's package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'huxiao-edge') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('huxiao-edge package root not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** Where the shared test footage lives: $HUXIAO_MEDIA_DIR, else ../shared/media beside the repository. */
export function mediaDir(): string {
  return process.env.HUXIAO_MEDIA_DIR ?? resolve(packageRoot(), '..', 'shared', 'media');
}

export function footageSource(): string {
  return join(mediaDir(), 'vtest.avi');
}

export interface FootageOptions {
  /** Seconds into vtest.avi to start the cut (default 0). */
  readonly startSeconds?: number;
  /** Length of the cut in seconds (default: to the end, 79.5 s). */
  readonly durationSeconds?: number;
}

/**
 * vtest.avi (MS-MPEG4v3, which no camera sends) re-encoded to the H.264 an IP camera would send: original 768x576 at
 * 10 fps, baseline profile, a keyframe every 10 frames so a client joining mid-stream decodes within a second.
 * Cached in <root>/.cache/media; written to a temp name and renamed, so parallel tests never see half a file.
 */
export async function footageMp4(options: FootageOptions = {}): Promise<string> {
  const start = options.startSeconds ?? 0;
  const duration = options.durationSeconds;
  const source = footageSource();
  if (!existsSync(source)) throw new HuxiaoError('REPLAY_INPUT', `test footage not found: ${source} (set HUXIAO_MEDIA_DIR to the folder holding vtest.avi)`);
  const dir = join(packageRoot(), '.cache', 'media');
  const name = `vtest-h264-${String(start)}-${duration === undefined ? 'end' : String(duration)}.mp4`;
  const target = join(dir, name);
  if (existsSync(target)) return target;
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${name}.${String(process.pid)}.${String(Date.now())}.tmp.mp4`);
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-ss', String(start), '-i', source];
  if (duration !== undefined) args.push('-t', String(duration));
  args.push(
    ...['-an', '-c:v', 'libx264', '-profile:v', 'baseline', '-tune', 'zerolatency', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'],
    ...['-g', '10', '-keyint_min', '10', '-sc_threshold', '0', '-r', '10', '-movflags', '+faststart', temp],
  );
  try {
    const { exit } = await runTool(ffmpegTool(args));
    if (!succeeded(exit)) throw new Error(`ffmpeg cannot make ${name} (${describeExit(exit)}): ${exit.stderr.join(' | ')}`);
    renameSync(temp, target);
  } finally {
    rmSync(temp, { force: true });
  }
  return target;
}
