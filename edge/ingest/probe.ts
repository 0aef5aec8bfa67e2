import { HuxiaoError } from '../errors.js';
import { runTool } from '../process/run-tool.js';
import { succeeded } from '../process/tool.js';
import { parseCameraUrl, redactUrl } from './camera-url.js';
import { RTSP_SOCKET_TIMEOUT_US } from './ffmpeg-args.js';
import { ffprobeTool } from './ffmpeg-process.js';
import { classifyStderrLine, worstFault, type ClassifiedLine, type StreamFault } from './stderr-classifier.js';

export interface ProbeResult {
  /** The URL probed, credentials redacted. */
  readonly url: string;
  readonly codec: string;
  readonly profile: string | undefined;
  readonly width: number;
  readonly height: number;
  /** Frames per second the stream announces; undefined when it announces none. */
  readonly fps: number | undefined;
}

export interface ProbeOptions {
  readonly transport?: 'tcp' | 'udp';
  /** Overall limit (default 20 s). */
  readonly timeoutMs?: number;
}

const REASONS: Record<StreamFault, string> = {
  unauthorized: 'authentication failed (check user name and password)',
  'not-found': 'stream path not found on the camera',
  refused: 'connection refused (wrong port, or the RTSP service is off)',
  timeout: 'timed out (camera unreachable or not answering)',
  unreachable: 'host unreachable or name not resolved',
  'unsupported-codec': 'unsupported codec',
  error: 'ffprobe failed',
};

interface FfprobeStream {
  codec_name?: string;
  profile?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
}

function rate(text: string | undefined): number | undefined {
  const [num, den] = (text ?? '').split('/').map(Number);
  if (num === undefined || den === undefined || !Number.isFinite(num) || !Number.isFinite(den) || num <= 0 || den <= 0) return undefined;
  return Math.round((num / den) * 100) / 100;
}

/** Codec, size and frame rate of a camera stream through ffprobe; PROBE_FAILED says why it could not be read. */
export async function probe(url: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  parseCameraUrl(url);
  const shown = redactUrl(url);
  const timeoutMs = options.timeoutMs ?? 20_000;
  const args = ['-hide_banner', '-loglevel', 'error', '-rtsp_transport', options.transport ?? 'tcp', '-timeout', String(RTSP_SOCKET_TIMEOUT_US)];
  args.push('-select_streams', 'v:0', '-show_entries', 'stream=codec_name,profile,width,height,avg_frame_rate,r_frame_rate', '-of', 'json', url);
  const lines: ClassifiedLine[] = [];
  const { exit, stdout } = await runTool({
    ...ffprobeTool(args),
    onStderrLine: (line) => {
      const classified = classifyStderrLine(line);
      if (classified !== undefined) lines.push(classified);
    },
    timeoutMs,
    killGraceMs: 500,
  });
  if (exit.kind === 'timeout') throw new HuxiaoError('PROBE_FAILED', `${shown}: ${REASONS.timeout}`);
  if (!succeeded(exit)) {
    const cause = worstFault(lines);
    // ffprobe reports its RTSP socket timeout as "Invalid data found when processing input"; the run's length tells.
    const fault = cause?.fault === 'error' && exit.ranMs >= RTSP_SOCKET_TIMEOUT_US / 1000 ? 'timeout' : (cause?.fault ?? 'error');
    throw new HuxiaoError('PROBE_FAILED', `${shown}: ${REASONS[fault]}${cause === undefined ? '' : ` (ffprobe: ${cause.text})`}`);
  }
  const stream = (JSON.parse(stdout) as { streams?: FfprobeStream[] }).streams?.[0];
  if (stream?.codec_name === undefined || stream.width === undefined || stream.height === undefined) {
    throw new HuxiaoError('PROBE_FAILED', `${shown}: no video stream found`);
  }
  return {
    url: shown,
    codec: stream.codec_name,
    profile: stream.profile,
    width: stream.width,
    height: stream.height,
    fps: rate(stream.avg_frame_rate) ?? rate(stream.r_frame_rate),
  };
}
