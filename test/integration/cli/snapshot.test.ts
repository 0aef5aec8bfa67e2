import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { RgbImage } from '../../../edge/ingest/frame.js';
import { runCli } from '../../helpers/cli.js';
import { shortClip } from '../../helpers/footage.js';
import { videoFrames } from '../../helpers/frames.js';
import { decodeJpeg, JPEG_NOISE, meanAbsDiff } from '../../helpers/pictures.js';
import { startRtspServer, type RtspTestServer } from '../../helpers/rtsp-server.js';
import { tempDir } from '../../helpers/tmp.js';

describe('huxiao snapshot', { concurrency: true }, () => {
  let server: RtspTestServer;
  let dir: { path: string; remove(): Promise<void> };
  let config: string;
  /** The first frames of the clip at the gate camera's detect size: each RTSP session starts the clip from its beginning. */
  let opening: RgbImage[];
  before(async () => {
    const clip = await shortClip(20);
    opening = await videoFrames(clip, [0, 1, 2], { width: 640, height: 360 });
    server = await startRtspServer({ file: clip, user: 'installer', password: 'pa55' });
    dir = await tempDir('snapshot');
    config = join(dir.path, 'config.yaml');
    await writeFile(
      config,
      [
        'gateway: { id: gw-test }',
        'cameras:',
        `  - { id: gate, url: "${server.url()}", username: installer, password: { env: GATE_PASSWORD }, detect: { width: 640, height: 360, fps: 5 } }`,
        `  - { id: locked, url: "${server.url()}", username: installer, password: wrong, detect: { width: 640, height: 360, fps: 5 } }`,
        `  - id: yard`,
        `    url: "${server.url()}"`,
        `    username: installer`,
        `    password: { env: GATE_PASSWORD }`,
        `    detect: { width: 640, height: 360, fps: 5 }`,
        `    zones: [{ id: left, polygon: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] }]`,
      ].join('\n'),
    );
  });
  after(async () => {
    await server.stop();
    await dir.remove();
  });

  it('writes a JPEG at the camera detect size', async () => {
    const out = join(dir.path, 'gate.jpg');
    const result = await runCli(['snapshot', '--config', config, '--camera', 'gate', '--out', out], { GATE_PASSWORD: 'pa55' });
    assert.equal(result.code, 0, result.stderr);
    const meta = await sharp(out).metadata();
    assert.deepEqual({ format: meta.format, width: meta.width, height: meta.height }, { format: 'jpeg', width: 640, height: 360 });
    const stats = await sharp(out).stats();
    assert.ok(stats.channels.every((channel) => channel.max > channel.min), 'the picture is not a flat colour');
  });

  /** The opening frame the picture is closest to, and how close (mean absolute difference over `compared`). */
  function closestOpening(picture: RgbImage, compared?: (x: number, y: number) => boolean): { frame: RgbImage; difference: number } {
    const scored = opening.map((frame) => ({ frame, difference: meanAbsDiff(picture, frame, compared) }));
    return scored.reduce((best, next) => (next.difference < best.difference ? next : best));
  }

  it('without --zones drawn, the JPEG decodes to the frame the camera sent', async () => {
    const out = join(dir.path, 'gate-plain.jpg');
    const result = await runCli(['snapshot', '--config', config, '--camera', 'gate', '--no-zones', '--out', out], { GATE_PASSWORD: 'pa55' });
    assert.equal(result.code, 0, result.stderr);
    const picture = await decodeJpeg(await readFile(out));
    assert.deepEqual([picture.width, picture.height], [640, 360]);
    const { difference } = closestOpening(picture);
    assert.ok(difference < JPEG_NOISE, `differs from the clip's opening frame by ${difference.toFixed(2)} grey levels on average`);
  });

  it('draws the zones on the frame: the zone tinted in its colour, the rest of the picture as the camera sent it', async () => {
    const out = join(dir.path, 'yard.jpg');
    const result = await runCli(['snapshot', '--config', config, '--camera', 'yard', '--out', out], { GATE_PASSWORD: 'pa55' });
    assert.equal(result.code, 0, result.stderr);
    const picture = await decodeJpeg(await readFile(out));
    assert.deepEqual([picture.width, picture.height], [640, 360]);
    // The zone is the left half; its outline, 2 px, runs along x = 320 and its name sits in the top left corner.
    const right = (x: number): boolean => x >= 328;
    const { frame, difference } = closestOpening(picture, right);
    assert.ok(difference < JPEG_NOISE, `right of the zone: differs from the camera frame by ${difference.toFixed(2)} grey levels on average`);
    // First zone colour #ffd400 at fill-opacity 0.22 over the frame.
    const colour = [0xff, 0xd4, 0x00];
    const tinted = Buffer.from(frame.data.map((value, index) => Math.round(value * 0.78 + (colour[index % 3] ?? 0) * 0.22)));
    const inside = (x: number, y: number): boolean => x >= 8 && x < 312 && y >= 32 && y < 352;
    const tint = meanAbsDiff(picture, { ...frame, data: tinted }, inside);
    assert.ok(tint < JPEG_NOISE, `inside the zone: differs from the tinted camera frame by ${tint.toFixed(2)} grey levels on average`);
    assert.ok(meanAbsDiff(picture, frame, inside) > 2 * JPEG_NOISE, 'the zone is visibly tinted');
  });

  it('fails with SNAPSHOT_FAILED naming the cause when the camera refuses', async () => {
    const out = join(dir.path, 'locked.jpg');
    const result = await runCli(['snapshot', '--config', config, '--camera', 'locked', '--out', out], { GATE_PASSWORD: 'pa55' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /SNAPSHOT_FAILED: camera locked .*unauthorized/);
    assert.doesNotMatch(result.stderr, /wrong/);
  });

  it('names an unknown camera with CAMERA_UNKNOWN and exit code 2', async () => {
    const result = await runCli(['snapshot', '--config', config, '--camera', 'pond', '--out', join(dir.path, 'x.jpg')], { GATE_PASSWORD: 'pa55' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /CAMERA_UNKNOWN: camera "pond".*gate, locked/);
  });
});
