import ffmpeg from 'fluent-ffmpeg';
import type { CameraConfig } from '../config/cameras.js';
import type { DeepReadonly } from '../config/schema.js';
import { inputUrl } from './camera-url.js';

export type Camera = DeepReadonly<CameraConfig>;

/** Socket I/O timeout for RTSP, in microseconds: a camera that stops answering makes ffmpeg fail instead of hang. */
export const RTSP_SOCKET_TIMEOUT_US = 5_000_000;

export interface OutputShape {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

/**
 * One decoding thread per camera: the H.264 decoder's frame threads each hold a frame, so on a 2-core box (3 threads)
 * every picture reached the rules 2 frames late. Measured through the RTSP test server at 1280x720 10 fps: frame lag
 * after PLAY p50 706 -> 508 ms. A gateway decodes several cameras at once, so the cores are busy either way.
 * Before the preset and the extra arguments, which may set another count.
 */
const DECODER_ARGS = ['-threads', '1'] as const;

/**
 * The decoder's input options for `deblock`. Skipping the in-loop deblocking filter: the blocking it leaves is about a
 * grey level, below what the detector sees, and H.264 decoding took 0.76x (footage) and 0.75x (the noisy still) the
 * CPU with it skipped. Decoders without a loop filter ignore it.
 */
function deblockArgs(deblock: boolean): string[] {
  return deblock ? [] : ['-skip_loop_filter', 'all'];
}

const PRESET_ARGS: Record<Camera['input']['preset'], readonly string[]> = {
  generic: [],
  // No demuxer buffering and a short probe: the first frame arrives sooner, at the cost of robustness on lossy links.
  'low-latency': ['-fflags', 'nobuffer', '-flags', 'low_delay', '-probesize', '500000', '-analyzeduration', '500000'],
};

function hwaccelArgs(hwaccel: Camera['input']['hwaccel']): readonly string[] {
  switch (hwaccel) {
    case 'none':
      return [];
    case 'auto':
    case 'vaapi':
    case 'qsv':
    case 'drm':
      return ['-hwaccel', hwaccel];
    case 'v4l2m2m':
      // Not an ffmpeg -hwaccel: the ARM stateful decoder is a separate codec, chosen before -i.
      return ['-c:v', 'h264_v4l2m2m'];
  }
}

/**
 * The decoder's input options for `decode`. Only key frames: the others are not decoded at all, about a third of the
 * decoding CPU on the quiet still (0.045 -> 0.016 cores at 10 fps with a key frame a second).
 */
function decodeArgs(decode: Camera['input']['decode']): string[] {
  return decode === 'keyframes' ? ['-skip_frame', 'nokey'] : [];
}

/**
 * Everything after the input: decode-side filters to the detect shape, raw RGB24 frames on stdout. With key frames
 * only, the fps filter would repeat each one up to the detect rate; a variable rate capped at it passes each once.
 */
function rawOutput(command: ffmpeg.FfmpegCommand, shape: OutputShape, decode: Camera['input']['decode'], frames?: number): ffmpeg.FfmpegCommand {
  const scale = `scale=${String(shape.width)}:${String(shape.height)}`;
  const keyframes = decode === 'keyframes';
  command
    .noAudio()
    .outputOptions(['-sn', '-dn'])
    // fps before scale: the scaler then only touches the frames that are kept.
    .videoFilters(keyframes ? [scale] : [`fps=${String(shape.fps)}`, scale])
    .outputOptions(keyframes ? ['-fps_mode', 'vfr', '-r', String(shape.fps)] : [])
    .format('rawvideo')
    .outputOptions(['-pix_fmt', 'rgb24']);
  if (frames !== undefined) command.outputOptions(['-frames:v', String(frames)]);
  return command.output('pipe:1');
}

function base(): ffmpeg.FfmpegCommand {
  return ffmpeg().addOption('-hide_banner').addOption('-nostdin').addOption('-loglevel', 'error');
}

export interface LiveArgsOptions {
  /** Stop after this many frames (snapshots); omitted: run until stopped. */
  readonly frames?: number;
}

/**
 * ffmpeg's argv for one live camera. The argv contains the camera password: it is handed to spawn() and never
 * logged (fluent-ffmpeg only builds it here; the process is spawned by the caller so the reader owns stdout).
 */
export function liveArgs(camera: Camera, options: LiveArgsOptions = {}): string[] {
  const { deblock, decode } = camera.input;
  return rawOutput(cameraInput(camera, { deblock, decode }), camera.detect, decode, options.frames)._getArguments();
}

/** The camera's stream as ffmpeg opens it: transport, socket timeout, decoding, preset, hardware decoder, extra arguments. */
function cameraInput(camera: Camera, decoding: { readonly deblock: boolean; readonly decode: Camera['input']['decode'] }): ffmpeg.FfmpegCommand {
  return base()
    .input(inputUrl(camera, `camera ${camera.id}`))
    .inputOptions(['-rtsp_transport', camera.input.transport, '-timeout', String(RTSP_SOCKET_TIMEOUT_US)])
    .inputOptions([
      ...DECODER_ARGS,
      ...deblockArgs(decoding.deblock),
      ...decodeArgs(decoding.decode),
      ...PRESET_ARGS[camera.input.preset],
      ...hwaccelArgs(camera.input.hwaccel),
      ...camera.input.extraArgs,
    ]);
}

export interface LiveViewShape {
  /** Width of the picture sent to the browser; the height follows the camera's aspect ratio. */
  readonly width: number;
  readonly bitrateKbps: number;
}

/**
 * ffmpeg's argv for the local page's live view: the camera opened as for detection, then what node-rtsp-stream's
 * muxer writes (MPEG-TS carrying MPEG-1 video, which JSMpeg decodes in the browser) on stdout. MPEG-1 allows only
 * the broadcast frame rates, so the output runs at 25 fps whatever the camera sends (repeated frames cost a few bytes);
 * no B-frames, so a picture is shown as soon as it arrives.
 */
export function liveViewArgs(camera: Camera, shape: LiveViewShape): string[] {
  // People watch this picture: it is decoded exactly and in full, whatever the detector's frames skip.
  return cameraInput(camera, { deblock: true, decode: 'all' })
    .noAudio()
    .outputOptions(['-sn', '-dn'])
    .videoFilters([`scale=${String(shape.width)}:-2`])
    .format('mpegts')
    .videoCodec('mpeg1video')
    .outputOptions(['-b:v', `${String(shape.bitrateKbps)}k`, '-bf', '0', '-r', '25'])
    .output('pipe:1')
    ._getArguments();
}

/**
 * ffmpeg's argv for decoding a file as fast as the CPU allows (replay); `deblock` as the camera the file is replayed
 * for, so a recording of it gives the pictures its live decoding would.
 */
export function fileArgs(path: string, shape: OutputShape, options: { readonly deblock: boolean }): string[] {
  return rawOutput(base().input(path).inputOptions(deblockArgs(options.deblock)), shape, 'all')._getArguments();
}
