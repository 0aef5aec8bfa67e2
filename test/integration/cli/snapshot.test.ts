import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { runCli } from '../../helpers/cli.js';
import { shortClip } from '../../helpers/footage.js';
import { startRtspServer, type RtspTestServer } from '../../helpers/rtsp-server.js';
import { tempDir } from '../../helpers/tmp.js';

describe('huxiao snapshot', { concurrency: true }, () => {
  let server: RtspTestServer;
  let dir: { path: string; remove(): Promise<void> };
  let config: string;
  before(async () => {
    server = await startRtspServer({ file: await shortClip(20), user: 'installer', password: 'pa55' });
    dir = await tempDir('snapshot');
    config = join(dir.path, 'config.yaml');
    await writeFile(
      config,
      [
        'gateway: { id: gw-test }',
        'cameras:',
        `  - { id: gate, url: "${server.url()}", username: installer, password: { env: GATE_PASSWORD }, detect: { width: 640, height: 360, fps: 5 } }`,
        `  - { id: locked, url: "${server.url()}", username: installer, password: wrong, detect: { width: 640, height: 360, fps: 5 } }`,
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
