import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.js';
import { shortClip } from '../../helpers/footage.js';
import { freePort } from '../../helpers/ports.js';
import { startRtspServer, type RtspTestServer } from '../../helpers/rtsp-server.js';

describe('huxiao probe', { concurrency: true }, () => {
  let server: RtspTestServer;
  before(async () => {
    server = await startRtspServer({ file: await shortClip(20), user: 'installer', password: 'pa55' });
  });
  after(() => server.stop());

  it('prints codec, size and fps as JSON, with the password redacted', async () => {
    const result = await runCli(['probe', server.url({ user: 'installer', password: 'pa55' })]);
    assert.equal(result.code, 0, result.stderr);
    const probed = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.deepEqual({ codec: probed.codec, width: probed.width, height: probed.height, fps: probed.fps }, { codec: 'h264', width: 768, height: 576, fps: 10 });
    assert.doesNotMatch(result.stdout + result.stderr, /pa55/);
  });

  const failures: [string, () => Promise<string>, RegExp][] = [
    ['a wrong password', () => Promise.resolve(server.url({ user: 'installer', password: 'nope' })), /PROBE_FAILED: .*authentication failed/],
    ['a wrong path', () => Promise.resolve(server.url({ user: 'installer', password: 'pa55' }).replace(/\/stream$/, '/other')), /PROBE_FAILED: .*path not found/],
    ['a closed port', async () => `rtsp://127.0.0.1:${String(await freePort())}/stream`, /PROBE_FAILED: .*connection refused/],
  ];
  for (const [what, url, message] of failures) {
    it(`explains ${what} and exits 1`, async () => {
      const result = await runCli(['probe', await url()]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /pa55|installer:/);
      assert.equal(result.stdout, '');
    });
  }

  it('names a missing ffprobe with FFMPEG_MISSING and the package to install, and exits 1', async () => {
    const result = await runCli(['probe', server.url({ user: 'installer', password: 'pa55' })], { FFPROBE_PATH: '/nonexistent/bin/ffprobe' });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /FFMPEG_MISSING: \/nonexistent\/bin\/ffprobe is not installed or not on PATH \(apt-get install ffmpeg\)/);
  });

  it('rejects a non-RTSP URL with CAMERA_URL and exit code 2', async () => {
    const result = await runCli(['probe', 'http://admin:secret@10.0.0.2/video']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /CAMERA_URL/);
    assert.doesNotMatch(result.stderr, /secret/);
  });
});
