import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { Centre } from '../../../scripts/devkit/demo/centre.js';
import { EmbeddedBroker } from '../../../scripts/devkit/demo/embedded-broker.js';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait.js';

const ROOT = 'huxiao/gw-old';

/** An alert as a gateway publishes it today (schema 2), without an identity. */
function alert(id: string, changes: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id, seq: 1, gateway: 'gw-old', type: 'intrusion', severity: 'critical', camera: 'pond', zone: 'pond-fence', rule: 'pond-intrusion', trackId: 40, label: 'person', score: 0.66,
    box: { x1: 1064, y1: 549, x2: 1176, y2: 718 }, details: {}, source: null, cameras: ['pond'], firstSeenAt: 1796163328710, lastSeenAt: 1796163329106, decidedAt: 1796163329106,
    raisedAt: 1796163329121, count: 1, state: 'raised', clearedAt: null, identity: null, snapshot: { topic: `alerts/${id}/snapshot`, cropTopic: `alerts/${id}/crop` }, schema: 2, ...changes,
  });
}

describe('the dev kit\'s centre and gateways of the build before identities (alert schema 1)', () => {
  let broker: EmbeddedBroker;
  let centre: Centre;
  let gateway: MqttClient;

  before(async () => {
    broker = new EmbeddedBroker({ port: await freePort() });
    await broker.start();
    centre = new Centre({ url: broker.url, root: ROOT, protocolVersion: 4 });
    await centre.start();
    gateway = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
  });

  after(async () => {
    await gateway.endAsync();
    await centre.stop();
    await broker.stop();
  });

  it('keeps a schema 1 alert (no identity) as the same alert, and refuses a schema 1 alert that claims one', async () => {
    await gateway.publishAsync(`${ROOT}/alerts`, alert('01M8STTQ31XHZE0HRMJV7GN9JA'), { qos: 1 });
    await gateway.publishAsync(`${ROOT}/alerts`, alert('01M8STTQ31XHZE0HRMJV7GN9JB', { schema: 1 }), { qos: 1 });
    await gateway.publishAsync(`${ROOT}/alerts`, alert('01M8STTQ31XHZE0HRMJV7GN9JC', { schema: 1, identity: { personId: 'p1', list: 'students', score: 90 } }), { qos: 1 });
    await waitFor('three alerts handled', () => centre.alerts().length + centre.invalid >= 3);
    assert.deepEqual(centre.alerts().map((a) => [a.id, a.schema, a.identity, a.decidedAt]), [
      ['01M8STTQ31XHZE0HRMJV7GN9JA', 2, null, 1796163329106],
      ['01M8STTQ31XHZE0HRMJV7GN9JB', 2, null, 1796163329106],
    ]);
    assert.equal(centre.invalid, 1);
  });
});
