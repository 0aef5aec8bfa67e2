import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

export type FfmpegChild = ChildProcessByStdio<null, Readable, Readable>;

/** ffmpeg and ffprobe binaries; FFMPEG_PATH / FFPROBE_PATH override PATH lookup as fluent-ffmpeg does. */
export function ffmpegBinary(): string {
  return process.env.FFMPEG_PATH ?? 'ffmpeg';
}

export function ffprobeBinary(): string {
  return process.env.FFPROBE_PATH ?? 'ffprobe';
}

/** Starts ffmpeg asynchronously (never spawnSync: one slow camera must not block the others' event loop). */
export function spawnFfmpeg(args: readonly string[]): FfmpegChild {
  return spawn(ffmpegBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves once the process has exited and its pipes closed. */
export function exited(child: FfmpegChild): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('close', () => {
      resolve();
    });
  });
}

/** SIGTERM, then SIGKILL if ffmpeg has not exited after `graceMs`; resolves when it is gone. */
export async function stopFfmpeg(child: FfmpegChild, graceMs = 2000): Promise<void> {
  const gone = exited(child);
  if (child.exitCode !== null || child.signalCode !== null) return gone;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await gone;
  } finally {
    clearTimeout(timer);
  }
}
