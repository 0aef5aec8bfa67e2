import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../edge/config/load.js';
import { Controller } from '../../edge/controller.js';
import type { RgbImage } from '../../edge/ingest/frame.js';
import { stillClip } from '../helpers/footage.js';
import { vtestFrames } from '../helpers/frames.js';
import { startMosquitto, type TestBroker } from '../helpers/mosquitto.js';
import { assertSamePicture, decodeJpeg, JPEG_NOISE, meanAbsDiff } from '../helpers/pictures.js';
import { startRtspServer, type RtspTestServer } from '../helpers/rtsp-server.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';
import { Centre } from './uplink/centre.js';

const GATEWAY = 'gw-pictures';
const ROOT = `huxiao/${GATEWAY}`;
/** H.264 at the encoder's default quality, then the gateway's JPEG: measured 2.5 grey levels off the source frame. */
const CAMERA_NOISE = 1.5 * JPEG_NOISE;

/**
 * cmd/snapshot through the whole gateway: a camera on the project's RTSP server showing a frame of the footage held
 * still (so its latest frame is known), the Controller as `huxiao run` builds it, and the centre on mosquitto.
 */
describe('cmd/snapshot: the camera picture the centre asks for', () => {
  let broker: TestBroker;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RtspTestServer;
  let controller: Controller;
  let centre: Centre;
  let scene: RgbImage;
  let other: RgbImage;

  before(async () => {
    [scene, other] = (await vtestFrames([300, 600])) as [RgbImage, RgbImage];
    dir = await tempDir('controller-snapshot');
    broker = await startMosquitto();
    server = await startRtspServer({ file: await stillClip(scene, 30, join(dir.path, 'still.mp4')) });
    const configPath = join(dir.path, 'config.yaml');
    writeFileSync(
      configPath,
      [
        `gateway: { id: ${GATEWAY} }`,
        'cameras:',
        `  - { id: gate, url: "${server.url()}", detect: { width: 768, height: 576, fps: 5 } }`,
        `storage: { dir: "${join(dir.path, 'store')}" }`,
        `audio: { device: "null", chime: { enabled: false }, cache: { dir: "${join(dir.path, 'audio')}" } }`,
        `mqtt: { url: "${broker.url}", username: ${broker.username}, password: ${broker.password} }`,
        // Not what this test is about, and the default port 8080 may be taken by another run on the machine.
        'web: { enabled: false }',
      ].join('\n'),
    );
    controller = new Controller({ config: loadConfig(configPath), configPath });
    await controller.start();
    centre = await Centre.connect(broker, { tls: false, clientId: 'centre-pictures', subscribe: [`${ROOT}/cameras/+/snapshot`, 'centre/replies'] });
    await waitFor('the uplink to connect', () => controller.uplink?.connected === true);
    await waitFor('a picture from the camera', () => controller.cameras()[0]?.latestImage() !== undefined);
  });

  after(async () => {
    await controller.stop();
    await centre.close();
    await server.stop();
    await broker.dispose();
    await dir.remove();
  });

  async function command(args: Record<string, unknown>): Promise<{ ok: boolean; result?: { topic: string; bytes: number; sha256: string }; error?: { code: string } }> {
    const correlation = Buffer.from(randomUUID());
    const body = JSON.stringify({ ts: Date.now(), nonce: randomUUID(), args });
    await centre.client.publishAsync(`${ROOT}/cmd/snapshot`, body, { qos: 1, properties: { responseTopic: 'centre/replies', correlationData: correlation } });
    let reply: Buffer | undefined;
    await waitFor('the reply to cmd/snapshot', () => {
      reply = centre.received.find((m) => m.topic === 'centre/replies' && Buffer.isBuffer(m.properties.correlationData) && m.properties.correlationData.equals(correlation))?.payload;
      return reply !== undefined;
    });
    return JSON.parse(reply?.toString() ?? '{}') as { ok: boolean; result?: { topic: string; bytes: number; sha256: string }; error?: { code: string } };
  }

  it("publishes a JPEG that decodes to the camera's latest frame", async () => {
    const reply = await command({ camera: 'gate' });
    assert.equal(reply.ok, true, JSON.stringify(reply));
    const { result } = reply;
    assert.ok(result);
    assert.equal(result.topic, 'cameras/gate/snapshot');
    await waitFor('the picture', () => centre.received.some((m) => m.topic === `${ROOT}/cameras/gate/snapshot`));
    const message = centre.received.find((m) => m.topic === `${ROOT}/cameras/gate/snapshot`);
    assert.ok(message);
    const sha256 = createHash('sha256').update(message.payload).digest('hex');
    assert.deepEqual([result.bytes, result.sha256, (message.properties.userProperties as Record<string, string>).sha256], [message.payload.length, sha256, sha256]);
    const picture = await decodeJpeg(message.payload);
    const latest = controller.cameras()[0]?.latestImage();
    assert.ok(latest);
    assertSamePicture(picture, latest, 'cmd/snapshot against the camera\'s latest frame');
    assertSamePicture(picture, scene, 'cmd/snapshot against the frame the camera shows', CAMERA_NOISE);
    assert.ok(meanAbsDiff(picture, other) > CAMERA_NOISE, 'the bound rejects another frame of the footage');
  });

  it('answers CAMERA_UNKNOWN for a camera the gateway does not run', async () => {
    const reply = await command({ camera: 'yard' });
    assert.equal(reply.ok, false);
    assert.equal(reply.error?.code, 'CAMERA_UNKNOWN');
  });
});
