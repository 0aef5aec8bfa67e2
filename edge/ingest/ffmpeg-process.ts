import type { ToolSpec } from '../process/tool.js';

/** ffmpeg and ffprobe binaries; FFMPEG_PATH / FFPROBE_PATH override PATH lookup as fluent-ffmpeg does. */
export function ffmpegBinary(): string {
  return process.env.FFMPEG_PATH ?? 'ffmpeg';
}

export function ffprobeBinary(): string {
  return process.env.FFPROBE_PATH ?? 'ffprobe';
}

type FfmpegSpec = Pick<ToolSpec, 'command' | 'args' | 'errorCode' | 'aptPackage'>;

/** ffmpeg as a tool for startTool / runTool: FFMPEG_MISSING when it cannot be started. */
export function ffmpegTool(args: readonly string[]): FfmpegSpec {
  return { command: ffmpegBinary(), args, errorCode: 'FFMPEG_MISSING', aptPackage: 'ffmpeg' };
}

export function ffprobeTool(args: readonly string[]): FfmpegSpec {
  return { command: ffprobeBinary(), args, errorCode: 'FFMPEG_MISSING', aptPackage: 'ffmpeg' };
}
