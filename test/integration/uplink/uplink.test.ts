import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AlertService } from '../../../edge/alerts/alert-service.js';
import { mqttSchema } from '../../../edge/config/mqtt.js';
import type { RgbImage } from '../../../edge/ingest/frame.js';
import { Store } from '../../../edge/store/store.js';
import { signedText } from '../../../edge/uplink/signing.js';
import { topic } from '../../../edge/uplink/topics.js';
import { Uplink } from '../../../edge/uplink/uplink.js';
import { vtestFrames } from '../../helpers/frames.js';
import { startMosquitto, type TestBroker } from '../../helpers/mosquitto.js';
import { schemaErrors } from '../../helpers/payload-schemas.js';
import { assertFrameWithBox, assertSamePicture, decodeJpeg, JPEG_NOISE, meanAbsDiff, region } from '../../helpers/pictures.js';
import { ALERTS_CONFIG, ruleHit, testImage } from '../../helpers/rule-hits.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait.js';
import { Centre } from './centre.js';

const GATEWAY = 'gw-test';
const ROOT = `huxiao/${GATEWAY}`;
const slow = process.env.HUXIAO_SLOW_TESTS === '1';

describe('Uplink against mosquitto (TLS, client certificate, password, signed commands)', () => {
  let broker: TestBroker;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let store: Store;
  let alerts: AlertService;
  let uplink: Uplink;
  let centre: Centre;
  const keys = generateKeyPairSync('ed25519');

  before(async () => {
    broker = await startMosquitto();
    dir = await tempDir('uplink');
    const publicKeyPath = join(dir.path, 'centre.pub.pem');
    writeFileSync(publicKeyPath, keys.publicKey.export({ type: 'spki', format: 'pem' }));
    store = new Store({ path: join(dir.path, 'huxiao.db') });
    store.start();
    const snapshotsDir = join(dir.path, 'snapshots');
    alerts = new AlertService({ store, gatewayId: GATEWAY, config: ALERTS_CONFIG, snapshotsDir });
    alerts.start();
    centre = await Centre.connect(broker, { tls: true, clientId: 'centre-1', subscribe: [`${ROOT}/#`, 'centre/replies'] });
    const config = mqttSchema.parse({
      url: broker.tlsUrl,
      username: broker.username,
      password: broker.password,
      tls: { ca: broker.certs.ca, cert: broker.certs.clientCert, key: broker.certs.clientKey },
      reconnectSeconds: 0.3,
      inflightWindow: 4,
      commands: { maxAgeSeconds: 60, signing: { required: true, publicKey: publicKeyPath } },
    });
    uplink = new Uplink({
      store,
      gatewayId: GATEWAY,
      config,
      snapshotsDir,
      alerts,
      telemetry: () => ({
        cameras: [{ id: 'pond-east', state: 'streaming', fps: 5, drops: 0, reconnects: 1 }],
        inference: { latencyMsP50: 40, latencyMsP95: 90 },
        disk: { usedBytes: 1000, quotaBytes: 2000, full: false },
      }),
    });
    uplink.start();
    await waitFor('the uplink to connect', () => uplink.connected);
  });

  after(async () => {
    await uplink.stop();
    await alerts.stop();
    store.stop();
    await centre.close();
    await broker.dispose();
    await dir.remove();
  });

  function storeAlertIds(): string[] {
    return (store.db.prepare('SELECT id FROM alerts ORDER BY seq').all() as { id: string }[]).map((row) => row.id);
  }

  async function command(name: string, args: Record<string, unknown>, options: { signed?: boolean; ts?: number; raw?: Buffer } = {}): Promise<{ ok: boolean; result?: unknown; error?: { code: string } }> {
    const correlation = Buffer.from(randomUUID());
    const body = { ts: options.ts ?? Date.now(), nonce: randomUUID(), args };
    const sig = options.signed === false ? undefined : sign(null, Buffer.from(signedText({ command: name, gateway: GATEWAY, ...body })), keys.privateKey).toString('base64');
    const payload = options.raw ?? Buffer.from(JSON.stringify(sig === undefined ? body : { ...body, sig }));
    await centre.client.publishAsync(`${ROOT}/cmd/${name}`, payload, { qos: 1, properties: { responseTopic: 'centre/replies', correlationData: correlation } });
    let reply: Buffer | undefined;
    await waitFor(`the reply to ${name}`, () => {
      reply = centre.received.find((m) => m.topic === 'centre/replies' && Buffer.isBuffer(m.properties.correlationData) && m.properties.correlationData.equals(correlation))?.payload;
      return reply !== undefined;
    });
    const parsed = JSON.parse(reply?.toString() ?? '{}') as { ok: boolean; result?: unknown; error?: { code: string } };
    assert.deepEqual(schemaErrors('command-reply.v1', parsed), []);
    return parsed;
  }

  it('publishes a retained online status and alerts, state and pictures in the documented shape', async () => {
    await waitFor('status', () => centre.json('/status').length > 0);
    const [status] = centre.json<{ state: string }>('/status');
    assert.equal(status?.state, 'online');
    assert.deepEqual(schemaErrors('status.v1', status), []);

    const withPicture = alerts.raise(ruleHit({ trackId: 1, frame: testImage() }));
    const plain = alerts.raise(ruleHit({ trackId: 2, type: 'dwell', severity: 'warning', details: { dwellSeconds: 42 } }));
    await alerts.idle();
    await waitFor('alerts and pictures', () => centre.firstDeliveries().length >= 2 && centre.received.filter((m) => m.topic.endsWith('/crop')).length >= 1);
    const received = centre.json<{ id: string }>('/alerts');
    for (const alert of received) assert.deepEqual(schemaErrors('alert.v2', alert), []);
    assert.deepEqual(received.map((alert) => alert.id), [withPicture.id, plain.id]);
    assert.deepEqual(received[0], { schema: 2, ...withPicture, snapshot: { topic: topic.alertSnapshot(withPicture.id), cropTopic: topic.alertCrop(withPicture.id) } });

    const picture = centre.received.find((m) => m.topic === `${ROOT}/alerts/${withPicture.id}/snapshot`);
    assert.ok(picture);
    assert.equal(picture.payload.subarray(0, 2).toString('hex'), 'ffd8', 'a JPEG');
    assert.equal((picture.properties.userProperties as Record<string, string>).sha256, createHash('sha256').update(picture.payload).digest('hex'));
    await waitFor('delivered marks', () => store.outbox.depth().depth === 0);

    uplink.publishTelemetry();
    await waitFor('telemetry', () => centre.json('/telemetry').length > 0);
    assert.deepEqual(schemaErrors('telemetry.v1', centre.json('/telemetry')[0]), []);
  });

  it("publishes pictures that decode to the deciding frame with its box, its crop, and each emergency camera's frame", async () => {
    const [deciding, gate, yard] = (await vtestFrames([300, 100, 600])) as [RgbImage, RgbImage, RgbImage];
    const pictures = (id: string, kind: 'snapshot' | 'crop') => centre.received.filter((m) => m.topic === `${ROOT}/alerts/${id}/${kind}`);
    const alert = alerts.raise(ruleHit({ trackId: 60, frame: deciding }));
    await waitFor('the alert picture and crop', () => pictures(alert.id, 'snapshot').length > 0 && pictures(alert.id, 'crop').length > 0);
    const [frame] = pictures(alert.id, 'snapshot');
    const [crop] = pictures(alert.id, 'crop');
    assert.ok(frame && crop);
    assertFrameWithBox(await decodeJpeg(frame.payload), deciding, { x1: 100, y1: 80, x2: 180, y2: 260 }, 'alert picture from the broker');
    assertSamePicture(await decodeJpeg(crop.payload), region(deciding, { left: 80, top: 35, width: 120, height: 270 }), 'crop from the broker');

    const emergency = alerts.raiseEmergency({ source: 'gate-button', cameras: ['gate', 'yard'], snapshots: [{ camera: 'gate', image: gate }, { camera: 'yard', image: yard }] });
    await waitFor('both emergency pictures', () => pictures(emergency.id, 'snapshot').length >= 2);
    const byCamera = new Map(pictures(emergency.id, 'snapshot').map((m) => [(m.properties.userProperties as Record<string, string>).camera, m.payload]));
    for (const [camera, own, other] of [['gate', gate, yard], ['yard', yard, gate]] as const) {
      const payload = byCamera.get(camera);
      assert.ok(payload, `a picture of ${camera}`);
      const picture = await decodeJpeg(payload);
      assertSamePicture(picture, own, `emergency picture of ${camera} from the broker`);
      assert.ok(meanAbsDiff(picture, other) > JPEG_NOISE, `the picture of ${camera} is not the other camera's`);
    }
    await waitFor('delivered marks', () => store.outbox.depth().depth === 0);
  });

  it('closes the loop: signed ack and resolve round trip with response topic and correlation data', async () => {
    const alert = alerts.raise(ruleHit({ trackId: 50 }));
    const ack = await command('ack', { id: alert.id, by: 'duty officer Wang', note: 'seen' });
    assert.deepEqual(ack, { ...ack, ok: true, result: { id: alert.id, seq: alert.seq, state: 'acknowledged' } });
    const resolved = await command('resolve', { id: alert.id, by: 'duty officer Wang', feedback: 'pupil walked back to class' });
    assert.equal(resolved.ok, true);
    assert.equal(alerts.get(alert.id)?.state, 'resolved');
    await waitFor('two state messages', () => centre.json(`/alerts/${alert.id}/state`).length >= 2);
    const states = centre.json<{ event: string; by: string; note: string }>(`/alerts/${alert.id}/state`);
    for (const state of states) assert.deepEqual(schemaErrors('alert-state.v2', state), []);
    assert.deepEqual(states.map((s) => [s.event, s.by, s.note]), [
      ['acknowledged', 'duty officer Wang', 'seen'],
      ['resolved', 'duty officer Wang', 'pupil walked back to class'],
    ]);
    assert.equal((await command('ping', {})).ok, true);
  });

  it('answers bad JSON, unknown, stale and unsigned commands with an error and audits each', async () => {
    const before = store.audit.recent(1000).length;
    assert.equal((await command('ack', {}, { raw: Buffer.from('{"ts":') })).error?.code, 'CMD_MALFORMED');
    assert.equal((await command('launch', {})).error?.code, 'CMD_UNKNOWN');
    assert.equal((await command('ping', {}, { ts: Date.now() - 3_600_000 })).error?.code, 'CMD_STALE');
    assert.equal((await command('ping', {}, { signed: false })).error?.code, 'CMD_UNAUTHORIZED');
    assert.equal((await command('resolve', { id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', by: 'x', feedback: 'y' })).error?.code, 'ALERT_UNKNOWN');
    const audit = store.audit.recent(1000).slice(0, store.audit.recent(1000).length - before);
    assert.deepEqual(audit.map((row) => row.code).reverse(), ['CMD_MALFORMED', 'CMD_UNKNOWN', 'CMD_STALE', 'CMD_UNAUTHORIZED', 'ALERT_UNKNOWN']);
    assert.ok(uplink.connected, 'still running');
  });

  /** Fresh track ids per outage: a repeated track within the cooldown would merge into an earlier alert. */
  let track = 1000;

  async function outage(downMs: number): Promise<void> {
    const already = new Set(centre.firstDeliveries().map((alert) => alert.id));
    await broker.stop();
    await waitFor('the uplink to notice the outage', () => !uplink.connected);
    const raised: string[] = [];
    const until = Date.now() + downMs;
    while (Date.now() < until) {
      raised.push(alerts.raise(ruleHit({ trackId: track++ })).id);
      await new Promise((resolve) => setTimeout(resolve, Math.max(20, downMs / 40)));
    }
    assert.ok(store.outbox.depth().depth >= raised.length, 'the backlog waits in the outbox');
    await broker.restart();
    for (let i = 0; i < 5; i++) raised.push(alerts.raise(ruleHit({ trackId: track++ })).id);
    await waitFor('every alert at the centre', () => centre.firstDeliveries().length >= already.size + raised.length, 120_000);
    const first = centre.firstDeliveries();
    assert.deepEqual(new Set(first.map((alert) => alert.id)), new Set(storeAlertIds()), 'every committed alert, once by id');
    const seqs = first.map((alert) => alert.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'first deliveries in seq order');
    assert.deepEqual(
      first.filter((alert) => !already.has(alert.id)).map((alert) => alert.id),
      raised,
      'the backlog first, in order, then the live alerts',
    );
    await waitFor('an empty outbox', () => store.outbox.depth().depth === 0);
  }

  it('keeps alerts raised while the broker is down and delivers each once by id, in seq order, after it returns', async () => {
    await outage(3000);
  });

  it('survives a broker outage of minutes (HUXIAO_SLOW_TESTS=1)', { skip: !slow }, async () => {
    await outage(150_000);
  });
});
