import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AlertService } from '../../../edge/alerts/alert-service.js';
import { mqttSchema } from '../../../edge/config/mqtt.js';
import { Store } from '../../../edge/store/store.js';
import { Uplink } from '../../../edge/uplink/uplink.js';
import { startMosquitto, type TestBroker } from '../../helpers/mosquitto.js';
import { createVersion2Store, type Version2Store, type WireExpectation } from '../../helpers/outbox-v2.js';
import { ALERTS_CONFIG } from '../../helpers/rule-hits.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait.js';
import { Centre, type Received } from './centre.js';

const GATEWAY = 'gw-up';
const ROOT = `huxiao/${GATEWAY}`;

/** An upgraded box: its outbox of store schema 2 held MQTT topics and payloads; schema 3 holds messages by kind. */
describe('an outbox written by release 0.1, opened by this one', () => {
  let broker: TestBroker;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let old: Version2Store;
  let store: Store;
  let alerts: AlertService;
  let centre: Centre;
  const snapshotsDir = (): string => join(dir.path, 'snapshots');

  before(async () => {
    broker = await startMosquitto();
    dir = await tempDir('outbox-upgrade');
    old = await createVersion2Store(join(dir.path, 'huxiao.db'), snapshotsDir());
    store = new Store({ path: join(dir.path, 'huxiao.db') });
    store.start();
    alerts = new AlertService({ store, gatewayId: GATEWAY, config: ALERTS_CONFIG, snapshotsDir: snapshotsDir() });
    alerts.start();
    centre = await Centre.connect(broker, { tls: false, clientId: 'centre-upgrade', subscribe: [`${ROOT}/#`] });
  });

  after(async () => {
    await alerts.stop();
    store.stop();
    await centre.close();
    await broker.dispose();
    await dir.remove();
  });

  function uplink(): Uplink {
    const config = mqttSchema.parse({ url: broker.url, username: broker.username, password: broker.password, reconnectSeconds: 0.3, inflightWindow: 3 });
    const telemetry = () => ({ cameras: [], inference: { latencyMsP50: null, latencyMsP95: null }, disk: { usedBytes: 0, quotaBytes: 1, full: false } });
    return new Uplink({ store, gatewayId: GATEWAY, config, snapshotsDir: snapshotsDir(), alerts, telemetry });
  }

  /** User properties as an ordered list: their order on the wire is part of "the same message". */
  function comparable(message: WireExpectation): { topic: string; payload: Buffer; userProperties?: [string, string][]; contentType?: string } {
    const { userProperties, ...rest } = message;
    return { ...rest, ...(userProperties === undefined ? {} : { userProperties: Object.entries(userProperties) }) };
  }

  /** What the centre received from the outbox: everything but the gateway's status and telemetry. */
  function fromOutbox(): WireExpectation[] {
    return centre.received
      .filter((message) => message.topic !== `${ROOT}/status` && message.topic !== `${ROOT}/telemetry`)
      .map((message: Received) => {
        const { userProperties, contentType } = message.properties as { userProperties?: Record<string, string>; contentType?: string };
        return { topic: message.topic.slice(ROOT.length + 1), payload: message.payload, ...(userProperties === undefined ? {} : { userProperties }), ...(contentType === undefined ? {} : { contentType }) };
      });
  }

  it('delivers the undelivered backlog once, in lane order, with the same topics, payload bytes and picture properties', async () => {
    const first = uplink();
    first.start();
    try {
      await waitFor('the backlog to be delivered', () => store.outbox.depth().depth === 0 && fromOutbox().length >= old.expected.length);
    } finally {
      await first.stop();
    }
    // A second run must find nothing left to send: telemetry goes out after the drain's first pump on the same
    // connection, so anything sent again would have arrived before it.
    const second = uplink();
    second.start();
    try {
      await waitFor('the second uplink to connect', () => second.connected);
      second.publishTelemetry();
      await waitFor('telemetry from the second run', () => centre.received.some((message) => message.topic === `${ROOT}/telemetry`));
    } finally {
      await second.stop();
    }
    assert.deepEqual(fromOutbox().map(comparable), old.expected.map(comparable));
  });
});
