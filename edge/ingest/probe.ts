import { spawn } from 'node:child_process';
import { HuxiaoError } from '../errors.js';
import { parseCameraUrl, redactUrl } from './camera-url.js';
import { RTSP_SOCKET_TIMEOUT_US } from './ffmpeg-args.js';
import { ffprobeBinary } from './ffmpeg-process.js';
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
  const started = performance.now();
  const { code, stdout, stderr, spawnError, killed } = await new Promise<{ code: number | null; stdout: string; stderr: string; spawnError?: NodeJS.ErrnoException; killed: boolean }>((resolve) => {
    const child = spawn(ffprobeBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let failure: NodeJS.ErrnoException | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      failure = error;
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ code: exitCode, stdout: out, stderr: err, ...(failure === undefined ? {} : { spawnError: failure }), killed: signal === 'SIGKILL' });
    });
  });
  if (spawnError?.code === 'ENOENT') throw new HuxiaoError('FFMPEG_MISSING', 'ffprobe is not installed or not on PATH');
  if (killed) throw new HuxiaoError('PROBE_FAILED', `${shown}: ${REASONS.timeout}`);
  const lines = stderr.split(/\r?\n/).map(classifyStderrLine).filter((line): line is ClassifiedLine => line !== undefined);
  if (code !== 0) {
    const cause = worstFault(lines);
    // ffprobe reports its RTSP socket timeout as "Invalid data found when processing input"; the run's length tells.
    const fault = cause?.fault === 'error' && performance.now() - started >= RTSP_SOCKET_TIMEOUT_US / 1000 ? 'timeout' : (cause?.fault ?? 'error');
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
