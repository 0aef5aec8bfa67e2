import { z } from 'zod';
import { motionSchema, trackerSchema } from './perception.js';
import { secretSchema } from './secret.js';
import { linesSchema, zonesSchema } from './zones.js';

const cameraId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'expected 1-64 letters, digits, "_" or "-", starting with a letter or digit');

const rtspUrl = z.string().refine((text) => {
  try {
    const url = new URL(text);
    return (url.protocol === 'rtsp:' || url.protocol === 'rtsps:') && url.hostname !== '';
  } catch {
    return false;
  }
}, 'expected an rtsp:// or rtsps:// URL with a host');

export const HWACCELS = ['none', 'auto', 'vaapi', 'qsv', 'v4l2m2m', 'drm'] as const;
export const INPUT_PRESETS = ['generic', 'low-latency'] as const;

const detectSchema = z
  .object({
    width: z.number().int().min(64).max(3840).multipleOf(2).default(1280).describe('Width in pixels of the frames the detector sees; zones are drawn in this picture.'),
    height: z.number().int().min(64).max(2160).multipleOf(2).default(720).describe('Height in pixels of the frames the detector sees.'),
    fps: z.number().min(0.5).max(30).default(5).describe('Frames per second decoded for detection.'),
  })
  .strict()
  .describe('Resolution and rate at which ffmpeg delivers frames.');

const inputSchema = z
  .object({
    transport: z.enum(['tcp', 'udp']).default('tcp').describe('RTSP transport; TCP survives lossy school networks better than UDP.'),
    preset: z.enum(INPUT_PRESETS).default('generic').describe('ffmpeg input options: generic, or low-latency (no input buffering; for cameras on a clean LAN).'),
    hwaccel: z.enum(HWACCELS).default('none').describe('Hardware decoder: none, auto, vaapi (Intel/AMD), qsv (Intel), v4l2m2m or drm (ARM boards).'),
    deblock: z.boolean().default(false).describe('Run the H.264/H.265 decoder\'s in-loop deblocking filter. Off, decoding costs about a quarter less CPU, and the detector finds the same people: 99% of its person boxes at IoU >= 0.8 on the footage, also at 700 kbit/s with 5 s between key frames, pictures within about one grey level. Alert pictures come from the same frames; the live view on the local page is always decoded exactly. On for exactly decoded pictures.'),
    decode: z
      .enum(['all', 'keyframes'])
      .default('all')
      .describe(
        'Which frames ffmpeg decodes. keyframes: only the key frames (`-skip_frame nokey`), about a third of the decoding CPU, and the detector sees one picture per key frame, one key-frame interval late (the decoder hands a key frame over when the next one arrives). For a camera whose enabled rules only judge presence over many seconds (absence, crowd, parking, vendor) and whose stream has a key frame every second or two (the camera\'s I-frame interval); a camera with an intrusion, line-cross, object, return, dwell, count or face rule is refused, and the log warns when key frames come more than 2 s apart. The live view is decoded in full.',
      ),
    extraArgs: z.array(z.string()).max(32).default([]).describe('Extra ffmpeg input arguments placed before -i, for cameras that need them; after the defaults (`-threads 1`: one decoding thread, no frame-threading delay; `-skip_loop_filter all` unless deblock is on; `-skip_frame nokey` for decode: keyframes), so they may override them.'),
  })
  .strict()
  .default({ transport: 'tcp', preset: 'generic', hwaccel: 'none', deblock: false, decode: 'all', extraArgs: [] })
  .describe('How ffmpeg opens the stream.');

const reconnectSchema = z
  .object({
    initialDelayMs: z.number().int().min(100).max(60_000).default(1000).describe('First reconnect delay; doubles on each failure.'),
    maxDelayMs: z.number().int().min(1000).max(600_000).default(30_000).describe('Upper bound of the reconnect delay.'),
    stallTimeoutSeconds: z.number().min(1).max(600).default(10).describe('A stream that delivers no frame for this long is killed and restarted.'),
  })
  .strict()
  .default({ initialDelayMs: 1000, maxDelayMs: 30_000, stallTimeoutSeconds: 10 })
  .describe('Reconnect and stall detection.');

export const cameraSchema = z
  .object({
    id: cameraId.describe('Camera id, unique on this gateway; used in topics, logs and rules.'),
    name: z.string().max(200).optional().describe('Human-readable name, e.g. "pond fence east".'),
    url: rtspUrl.describe('RTSP URL of the stream to analyse (often the camera sub-stream). Credentials may be inline but are better given as username/password.'),
    username: z.string().min(1).optional().describe('RTSP user name; inserted into the URL when ffmpeg opens it.'),
    password: secretSchema.optional().describe('RTSP password: inline, { env: NAME } or { file: PATH }. Never logged.'),
    enabled: z.boolean().default(true).describe('A disabled camera is validated but not opened.'),
    detect: detectSchema.default({ width: 1280, height: 720, fps: 5 }),
    input: inputSchema,
    reconnect: reconnectSchema,
    zones: zonesSchema,
    lines: linesSchema,
    motion: motionSchema,
    tracker: trackerSchema,
  })
  .strict();

export const camerasSchema = z
  .array(cameraSchema)
  .max(64)
  .superRefine((cameras, ctx) => {
    const seen = new Set<string>();
    cameras.forEach((camera, index) => {
      if (seen.has(camera.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate camera id "${camera.id}"` });
      seen.add(camera.id);
    });
  })
  .default([])
  .describe('Cameras this gateway analyses.');

export type CameraConfig = z.output<typeof cameraSchema>;
