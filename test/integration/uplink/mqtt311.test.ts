import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { AlertService } from '../../../edge/alerts/alert-service.js';
import { mqttSchema } from '../../../edge/config/mqtt.js';
import { Store } from '../../../edge/store/store.js';
import { Uplink } from '../../../edge/uplink/uplink.js';
import { schemaErrors } from '../../helpers/payload-schemas.js';
import { freePort } from '../../helpers/ports.js';
import { ALERTS_CONFIG, ruleHit } from '../../helpers/rule-hits.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait.js';

describe('Uplink over MQTT 3.1.1 and plain TCP (the demo\'s embedded aedes broker)', () => {
  let aedes: Aedes;
  let server: Server;
  let url: string;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let store: Store;
  let alerts: AlertService;
  let uplink: Uplink;
  let centre: MqttClient;
  const received: { topic: string; payload: Buffer }[] = [];

  before(async () => {
    aedes = await Aedes.createBroker();
    server = createServer((socket) => {
      aedes.handle(socket);
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    url = `mqtt://127.0.0.1:${String(port)}`;
    dir = await tempDir('mqtt311');
    store = new Store({ path: join(dir.path, 'huxiao.db') });
    store.start();
    alerts = new AlertService({ store, gatewayId: 'gw-311', config: ALERTS_CONFIG, snapshotsDir: join(dir.path, 'snapshots') });
    alerts.start();
    centre = await mqtt.connectAsync(url, { protocolVersion: 4 });
    centre.on('message', (topic, payload) => received.push({ topic, payload }));
    await centre.subscribeAsync('huxiao/gw-311/#', { qos: 1 });
    uplink = new Uplink({ store, gatewayId: 'gw-311', config: mqttSchema.parse({ url: url, protocolVersion: 4 }), snapshotsDir: join(dir.path, 'snapshots'), alerts });
    uplink.start();
    await waitFor('the uplink to connect', () => uplink.connected);
  });

  after(async () => {
    await uplink.stop();
    await alerts.stop();
    store.stop();
    await centre.endAsync();
    server.close();
    await new Promise<void>((resolve) => {
      aedes.close(() => {
        resolve();
      });
    });
    await dir.remove();
  });

  it('delivers alerts and answers commands on the replies topic, matched by nonce', async () => {
    const alert = alerts.raise(ruleHit());
    await waitFor('the alert', () => received.some((m) => m.topic === 'huxiao/gw-311/alerts'));
    const payload = JSON.parse(received.find((m) => m.topic === 'huxiao/gw-311/alerts')?.payload.toString() ?? '{}') as { id: string };
    assert.equal(payload.id, alert.id);
    assert.deepEqual(schemaErrors('alert.v2', payload), []);
    await waitFor('delivered marks', () => store.outbox.depth().depth === 0);

    await centre.publishAsync('huxiao/gw-311/cmd/ping', JSON.stringify({ ts: Date.now(), nonce: 'nonce-311-ping', args: {} }), { qos: 1 });
    await waitFor('the reply', () => received.some((m) => m.topic === 'huxiao/gw-311/replies'));
    const reply = JSON.parse(received.find((m) => m.topic === 'huxiao/gw-311/replies')?.payload.toString() ?? '{}') as { ok: boolean; nonce: string };
    assert.deepEqual(schemaErrors('command-reply.v1', reply), []);
    assert.equal(reply.ok, true);
    assert.equal(reply.nonce, 'nonce-311-ping');
  });
});
