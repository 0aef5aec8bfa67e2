import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cameraSchema } from '../../../edge/config/cameras.js';
import { fileArgs, liveArgs, liveViewArgs } from '../../../edge/ingest/ffmpeg-args.js';

function camera(extra: Record<string, unknown> = {}): ReturnType<typeof cameraSchema.parse> {
  return cameraSchema.parse({ id: 'gate', url: 'rtsp://10.0.0.2/stream', username: 'admin', password: 'p@ss', detect: { width: 640, height: 360, fps: 2 }, ...extra });
}

/** The value following `flag` in argv. */
function after(args: readonly string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index === -1 ? undefined : args[index + 1];
}

describe('liveArgs', () => {
  it('opens RTSP over TCP by default with a socket timeout, before -i', () => {
    const args = liveArgs(camera());
    const input = args.indexOf('-i');
    assert.equal(after(args, '-rtsp_transport'), 'tcp');
    assert.equal(after(args, '-timeout'), '5000000');
    assert.ok(args.indexOf('-rtsp_transport') < input && args.indexOf('-timeout') < input);
  });

  it('decodes on one thread (no frame-threading delay) unless the extra input args say otherwise', () => {
    const args = liveArgs(camera());
    assert.equal(after(args, '-threads'), '1');
    assert.ok(args.indexOf('-threads') < args.indexOf('-i'));
    const own = liveArgs(camera({ input: { extraArgs: ['-threads', '4'] } }));
    const input = own.slice(0, own.indexOf('-i'));
    const last = input.lastIndexOf('-threads');
    assert.deepEqual(input.slice(last, last + 2), ['-threads', '4'], 'the camera\'s own count comes last, so ffmpeg takes it');
  });

  it('skips the deblocking filter before -i unless deblock is on, and the extra input args may set it again', () => {
    const args = liveArgs(camera());
    assert.equal(after(args, '-skip_loop_filter'), 'all');
    assert.ok(args.indexOf('-skip_loop_filter') < args.indexOf('-i'));
    assert.equal(liveArgs(camera({ input: { deblock: true } })).indexOf('-skip_loop_filter'), -1);
    const own = liveArgs(camera({ input: { extraArgs: ['-skip_loop_filter', 'nokey'] } }));
    const input = own.slice(0, own.indexOf('-i'));
    assert.deepEqual(input.slice(input.lastIndexOf('-skip_loop_filter')), ['-skip_loop_filter', 'nokey'], 'the camera\'s own value comes last');
  });

  it('decodes only key frames before -i for decode: keyframes, each passed once at up to the detect rate', () => {
    const args = liveArgs(camera({ input: { decode: 'keyframes' } }));
    assert.equal(after(args, '-skip_frame'), 'nokey');
    assert.ok(args.indexOf('-skip_frame') < args.indexOf('-i'));
    assert.equal(after(args, '-filter:v'), 'scale=640:360', 'no fps filter: it would repeat each key frame up to the rate');
    assert.equal(after(args, '-fps_mode'), 'vfr');
    assert.equal(after(args, '-r'), '2');
    assert.ok(args.indexOf('-fps_mode') > args.indexOf('-i'), 'an output option');
    const all = liveArgs(camera());
    assert.deepEqual([all.indexOf('-skip_frame'), all.indexOf('-fps_mode')], [-1, -1]);
    assert.equal(liveViewArgs(camera({ input: { decode: 'keyframes' } }), { width: 640, bitrateKbps: 800 }).indexOf('-skip_frame'), -1, 'the live view decodes every frame');
  });

  it('decodes the live view exactly: people watch it', () => {
    assert.equal(liveViewArgs(camera(), { width: 640, bitrateKbps: 800 }).indexOf('-skip_loop_filter'), -1);
  });

  it('puts the password only into the input URL', () => {
    const args = liveArgs(camera());
    assert.equal(after(args, '-i'), 'rtsp://admin:p%40ss@10.0.0.2/stream');
    assert.equal(args.filter((arg) => arg.includes('p%40ss')).length, 1);
  });

  it('scales to the detect size at the detect fps and writes raw RGB24 to stdout', () => {
    const args = liveArgs(camera());
    assert.equal(after(args, '-filter:v'), 'fps=2,scale=640:360');
    assert.equal(after(args, '-f'), 'rawvideo');
    assert.equal(after(args, '-pix_fmt'), 'rgb24');
    assert.equal(args.at(-1), 'pipe:1');
    assert.ok(args.includes('-an'));
  });

  it('applies transport, preset, hwaccel and extra input args', () => {
    const args = liveArgs(camera({ input: { transport: 'udp', preset: 'low-latency', hwaccel: 'vaapi', extraArgs: ['-max_delay', '500000'] } }));
    const input = args.indexOf('-i');
    assert.equal(after(args, '-rtsp_transport'), 'udp');
    assert.equal(after(args, '-fflags'), 'nobuffer');
    assert.equal(after(args, '-hwaccel'), 'vaapi');
    assert.equal(after(args, '-max_delay'), '500000');
    assert.ok(args.indexOf('-max_delay') < input && args.indexOf('-hwaccel') < input);
    assert.equal(after(liveArgs(camera({ input: { hwaccel: 'v4l2m2m' } })), '-c:v'), 'h264_v4l2m2m');
  });

  it('limits the frame count for a snapshot', () => {
    assert.equal(after(liveArgs(camera(), { frames: 1 }), '-frames:v'), '1');
  });
});

describe('fileArgs', () => {
  it('decodes the file at the given shape without RTSP options', () => {
    const args = fileArgs('/media/clip.mp4', { width: 320, height: 240, fps: 5 }, { deblock: true });
    assert.equal(after(args, '-i'), '/media/clip.mp4');
    assert.equal(after(args, '-filter:v'), 'fps=5,scale=320:240');
    assert.ok(!args.includes('-rtsp_transport'));
    assert.ok(!args.includes('-skip_loop_filter'), 'deblock: true decodes exactly');
  });

  it('skips the deblocking filter before -i when the camera it is replayed for does', () => {
    const args = fileArgs('/media/clip.mp4', { width: 320, height: 240, fps: 5 }, { deblock: false });
    assert.equal(after(args, '-skip_loop_filter'), 'all');
    assert.ok(args.indexOf('-skip_loop_filter') < args.indexOf('-i'));
  });
});
