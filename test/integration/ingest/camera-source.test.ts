import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { WallClock } from '../../../edge/clock/clock.js';
import { cameraSchema } from '../../../edge/config/cameras.js';
import { CameraSource } from '../../../edge/ingest/camera-source.js';
import type { CameraState } from '../../../edge/ingest/camera-status.js';
import { shortClip } from '../../helpers/footage.js';
import { captureLogs } from '../../helpers/logs.js';
import { freePort } from '../../helpers/ports.js';
import { startRtspServer } from '../../helpers/rtsp-server.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait.js';

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const WIDTH = 320;
const HEIGHT = 240;

interface Harness {
  readonly source: CameraSource;
  readonly frames: { seq: number; ts: number; width: number; height: number; bytes: number; sha256: string }[];
  readonly states: CameraState[];
  /** Frames delivered when each state was entered. */
  readonly framesAt: number[];
}

function harness(url: string, extra: Record<string, unknown> = {}): Harness {
  const camera = cameraSchema.parse({
    id: 'cam',
    url,
    detect: { width: WIDTH, height: HEIGHT, fps: 5 },
    reconnect: { initialDelayMs: 200, maxDelayMs: 1000, stallTimeoutSeconds: 10 },
    ...extra,
  });
  const frames: Harness['frames'] = [];
  const states: CameraState[] = [];
  const framesAt: number[] = [];
  const source = new CameraSource({
    camera,
    clock: new WallClock(),
    onFrame: (frame) => frames.push({ seq: frame.seq, ts: frame.ts, width: frame.width, height: frame.height, bytes: frame.data.length, sha256: sha256(frame.data) }),
  });
  source.onState((status) => {
    states.push(status.state);
    framesAt.push(status.frames);
  });
  return { source, frames, states, framesAt };
}

describe('CameraSource against a real RTSP server', { concurrency: true }, () => {
  let clip3: string;
  let clip20: string;
  before(async () => {
    clip3 = await shortClip(3);
    clip20 = await shortClip(20);
  });

  for (const transport of ['tcp', 'udp'] as const) {
    it(`delivers a 3 s, 10 fps clip over ${transport} as 15 +/- 1 frames of 320x240 at 5 fps`, async () => {
      const server = await startRtspServer({ file: clip3 });
      const { source, frames, states, framesAt } = harness(server.url(), { input: { transport } });
      try {
        source.start();
        // The server plays the clip once per session, so the first run ends by itself.
        await waitFor('the stream to end', () => states.includes('ended'));
        const firstRun = frames.slice(0, framesAt[states.indexOf('ended')]);
        // fps=5 keeps every 2nd of 30 frames: 15; the filter's rounding at the first and last timestamp can add or
        // lose one.
        assert.ok(firstRun.length >= 14 && firstRun.length <= 16, `got ${String(firstRun.length)} frames`);
        firstRun.forEach((frame, index) => {
          assert.deepEqual({ seq: frame.seq, width: frame.width, height: frame.height, bytes: frame.bytes }, { seq: index, width: WIDTH, height: HEIGHT, bytes: WIDTH * HEIGHT * 3 });
        });
        assert.ok(firstRun.every((frame, index) => index === 0 || frame.ts >= (firstRun[index - 1]?.ts ?? 0)));
        assert.deepEqual(states.slice(0, 3), ['connecting', 'streaming', 'ended']);
      } finally {
        await source.stop();
        await server.stop();
      }
    });
  }

  it('decodes only the key frames with decode: keyframes: one picture a second, each that key frame byte for byte', async () => {
    const server = await startRtspServer({ file: clip3 });
    const { source, frames, states, framesAt } = harness(server.url(), { input: { decode: 'keyframes' } });
    try {
      source.start();
      await waitFor('the stream to end', () => states.includes('ended'));
      const firstRun = frames.slice(0, framesAt[states.indexOf('ended')]);
      // The clip decoded in full as the camera's detector frames are (no deblocking, one thread): its key frames are
      // every 10th (footageMp4 encodes 10 fps with a key frame a second), so 0, 10 and 20 of the 3 s clip.
      const decoded = spawnSync('ffmpeg', ['-v', 'error', '-threads', '1', '-skip_loop_filter', 'all', '-i', clip3, '-vf', `scale=${String(WIDTH)}:${String(HEIGHT)}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 64 * 2 ** 20 });
      assert.equal(decoded.status, 0, decoded.stderr.toString());
      const size = WIDTH * HEIGHT * 3;
      const all = Array.from({ length: decoded.stdout.length / size }, (_, i) => sha256(decoded.stdout.subarray(i * size, (i + 1) * size)));
      assert.equal(all.length, 30);
      assert.deepEqual(firstRun.map((frame) => frame.sha256), [all[0], all[10], all[20]]);
    } finally {
      await source.stop();
      await server.stop();
    }
  });

  it('warns once when key frames come more than 2 s apart', async () => {
    const dir = await tempDir('keyframes-');
    const sparse = join(dir.path, 'gop30.mp4');
    const encoded = spawnSync('ffmpeg', ['-v', 'error', '-i', clip20, '-t', '15', '-an', '-c:v', 'libx264', '-profile:v', 'baseline', '-preset', 'veryfast', '-g', '30', '-keyint_min', '30', '-sc_threshold', '0', '-r', '10', '-movflags', '+faststart', sparse]);
    assert.equal(encoded.status, 0, encoded.stderr.toString());
    const server = await startRtspServer({ file: sparse });
    const { source, states, framesAt } = harness(server.url(), { id: 'sparse-keyframes', input: { decode: 'keyframes' } });
    const logs = captureLogs();
    try {
      source.start();
      await waitFor('the stream to end', () => states.includes('ended'), 30_000);
      const warned = logs.records().filter((record) => record.camera === 'sparse-keyframes' && record.msg.startsWith('key frames come more than 2 s apart'));
      assert.equal(framesAt[states.indexOf('ended')], 5, 'key frames at 0, 3, 6, 9 and 12 s');
      assert.equal(warned.length, 1);
      assert.ok(Number(warned[0]?.gapMs) >= 2000, JSON.stringify(warned[0]));
    } finally {
      logs.restore();
      await source.stop();
      await server.stop();
      await dir.remove();
    }
  });

  it('reconnects after the server restarts and keeps seq increasing', async () => {
    const server = await startRtspServer({ file: clip20 });
    const { source, frames, states } = harness(server.url());
    try {
      source.start();
      await waitFor('first frames', () => frames.length >= 5);
      await server.stop();
      await waitFor('the source to notice', () => source.status().state !== 'streaming');
      const before = frames.length;
      await server.start();
      await waitFor('frames after the restart', () => frames.length >= before + 5);
      const status = source.status();
      assert.equal(status.state, 'streaming');
      assert.ok(status.reconnects >= 1, `reconnects ${String(status.reconnects)}`);
      assert.deepEqual(
        frames.map((frame) => frame.seq),
        frames.map((_, index) => index),
      );
      assert.ok(states.slice(1).some((state) => state !== 'streaming'));
    } finally {
      await source.stop();
      await server.stop();
    }
  });

  it('reports not-found for a wrong path', async () => {
    const server = await startRtspServer({ file: clip3 });
    const { source } = harness(server.url().replace(/\/stream$/, '/wrong'));
    try {
      source.start();
      await waitFor('not-found', () => source.status().state === 'not-found');
      assert.match(source.status().detail ?? '', /404/);
    } finally {
      await source.stop();
      await server.stop();
    }
  });

  it('reports unauthorized for a wrong password and never shows the password', async () => {
    const server = await startRtspServer({ file: clip3, user: 'installer', password: 'right-one' });
    const { source, frames } = harness(server.url(), { username: 'installer', password: 'wrong-one' });
    try {
      source.start();
      await waitFor('unauthorized', () => source.status().state === 'unauthorized');
      assert.equal(frames.length, 0);
      assert.doesNotMatch(JSON.stringify(source.status()), /wrong-one/);
    } finally {
      await source.stop();
      await server.stop();
    }
  });

  it('streams with the right password', async () => {
    const server = await startRtspServer({ file: clip3, user: 'installer', password: 'right-one' });
    const { source, frames } = harness(server.url(), { username: 'installer', password: 'right-one' });
    try {
      source.start();
      await waitFor('frames', () => frames.length >= 3);
      assert.equal(source.status().state, 'streaming');
    } finally {
      await source.stop();
      await server.stop();
    }
  });

  it('kills and restarts a stalled stream', async () => {
    const server = await startRtspServer({ file: clip20 });
    const { source, frames, states } = harness(server.url(), { reconnect: { initialDelayMs: 200, maxDelayMs: 1000, stallTimeoutSeconds: 2 } });
    try {
      source.start();
      await waitFor('first frames', () => frames.length >= 3);
      server.pause();
      await waitFor('stalled', () => states.includes('stalled'));
      server.resume();
      const before = frames.length;
      await waitFor('frames after the restart', () => frames.length >= before + 3);
      assert.ok(source.status().reconnects >= 1);
      assert.equal(source.status().state, 'streaming');
    } finally {
      server.resume();
      await source.stop();
      await server.stop();
    }
  });

  it('keeps one camera streaming while another is broken', async () => {
    const server = await startRtspServer({ file: clip20 });
    const good = harness(server.url());
    const broken = harness(`rtsp://127.0.0.1:${String(await freePort())}/stream`);
    try {
      broken.source.start();
      good.source.start();
      await waitFor('the broken camera to fail', () => broken.source.status().state === 'refused');
      await waitFor('frames from the good camera', () => good.frames.length >= 10);
      assert.equal(good.source.status().state, 'streaming');
      assert.equal(broken.frames.length, 0);
      assert.ok(broken.source.status().reconnects >= 1 || broken.source.status().state === 'refused');
    } finally {
      await Promise.all([good.source.stop(), broken.source.stop()]);
      await server.stop();
    }
  });
});
