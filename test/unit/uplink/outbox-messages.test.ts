import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HuxiaoError } from '../../../edge/errors.js';
import type { AlertChange } from '../../../edge/store/outbox.js';
import { wireMessage } from '../../../edge/uplink/outbox-messages.js';
import { schemaErrors } from '../../helpers/payload-schemas.js';
import { testAlert } from '../../helpers/stored-alerts.js';

function json(message: ReturnType<typeof wireMessage>): Record<string, unknown> {
  assert.ok('json' in message, `${message.topic} carries JSON`);
  return JSON.parse(message.json.toString('utf8')) as Record<string, unknown>;
}

const isPayloadError = (pattern: RegExp) => (error: unknown): boolean => error instanceof HuxiaoError && error.code === 'PAYLOAD_INVALID' && pattern.test(error.message);

describe('outbox messages on the wire', () => {
  const alert = testAlert(1, { box: { x1: 1, y1: 2, x2: 30, y2: 40 }, snapshot: { crop: true } });
  const change: AlertChange = { id: alert.id, seq: 1, event: 'acknowledged', state: 'acknowledged', at: 2000, by: 'duty officer Li', note: null, count: 1, lastSeenAt: 1000, clearedAt: null };

  it('publishes an alert on `alerts` with its schema version and the topics its pictures follow on', () => {
    const message = wireMessage({ kind: 'alert', alert });
    assert.equal(message.topic, 'alerts');
    const payload = json(message);
    assert.deepEqual(payload, { ...alert, snapshot: { topic: `alerts/${alert.id}/snapshot`, cropTopic: `alerts/${alert.id}/crop` }, schema: 2 });
    assert.deepEqual(schemaErrors('alert.v2', payload), []);
    assert.deepEqual(json(wireMessage({ kind: 'alert', alert: { ...alert, snapshot: { crop: false } } })).snapshot, { topic: `alerts/${alert.id}/snapshot`, cropTopic: null });
    assert.equal(json(wireMessage({ kind: 'alert', alert: { ...alert, snapshot: null } })).snapshot, null);
  });

  it('publishes a state change on `alerts/<id>/state` and a picture on its snapshot or crop topic with its hash and camera', () => {
    const state = wireMessage({ kind: 'alert-state', change });
    assert.equal(state.topic, `alerts/${alert.id}/state`);
    assert.deepEqual(json(state), { schema: 2, ...change, identity: null });
    assert.deepEqual(schemaErrors('alert-state.v2', json(state)), []);
    const crop = wireMessage({ kind: 'snapshot', picture: { alertId: alert.id, kind: 'crop', camera: 'pond-east', path: 'day/crop.jpg', sha256: 'ab12' } });
    assert.ok(!('json' in crop));
    assert.deepEqual(crop, { topic: `alerts/${alert.id}/crop`, file: 'day/crop.jpg', contentType: 'image/jpeg', userProperties: { sha256: 'ab12', camera: 'pond-east', contentType: 'image/jpeg' } });
    assert.deepEqual(Object.keys(crop.userProperties), ['sha256', 'camera', 'contentType'], 'the order they go on the wire in');
    assert.equal(wireMessage({ kind: 'snapshot', picture: { alertId: alert.id, kind: 'frame', camera: 'pond-east', path: 'day/frame.jpg', sha256: 'cd34' } }).topic, `alerts/${alert.id}/snapshot`);
  });

  it('refuses a payload that does not match its schema with PAYLOAD_INVALID, naming the topic and the field', () => {
    assert.throws(() => wireMessage({ kind: 'alert', alert: { ...alert, score: 1.5 } }), isPayloadError(/^alerts: .*score/s));
    assert.throws(() => wireMessage({ kind: 'alert-state', change: { ...change, count: 0 } }), isPayloadError(/^alerts\/[0-9A-Z]{26}\/state: .*count/s));
    assert.throws(() => wireMessage({ kind: 'alert-state', change: { ...change, id: 'a/b' } }), (error: unknown) => error instanceof HuxiaoError && error.code === 'MQTT_TOPIC');
  });
});
