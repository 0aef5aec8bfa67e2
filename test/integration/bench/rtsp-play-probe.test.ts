import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { RtspPlayProbe } from '../../../scripts/bench/lib/rtsp-play-probe.js';
import { shortClip } from '../../helpers/footage.js';
import { startRtspServer, type RtspTestServer } from '../../helpers/rtsp-server.js';

const run = promisify(execFile);
const FRAME_BYTES = 768 * 576 * 3;

/** The first picture of a stream as ffmpeg decodes it, RGB24. */
async function firstFrame(url: string): Promise<Buffer> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: FRAME_BYTES + 1024,
  });
  return stdout;
}

describe('capacity bench: RTSP PLAY probe', () => {
  let server: RtspTestServer;
  before(async () => {
    server = await startRtspServer({ file: await shortClip(3) });
  });
  after(() => server.stop());

  it('relays a camera session unchanged and notes when its PLAY was sent, once per session', async () => {
    const probe = new RtspPlayProbe({ host: '127.0.0.1', port: Number(new URL(server.url()).port) });
    await probe.start();
    try {
      const direct = await firstFrame(server.url());
      const before = Date.now();
      const relayed = await firstFrame(probe.url('/stream'));
      const done = Date.now();
      assert.equal(relayed.length, FRAME_BYTES);
      assert.ok(relayed.equals(direct), 'the first frame through the probe differs from the one read directly');
      assert.equal(probe.plays().length, 1);
      const [play = 0] = probe.plays();
      assert.ok(play >= before && play <= done, `PLAY at ${String(play)} is outside the session ${String(before)}..${String(done)}`);
      await firstFrame(probe.url('/stream'));
      assert.equal(probe.plays().length, 2, 'a second session is a second PLAY');
    } finally {
      await probe.stop();
    }
  });
});
