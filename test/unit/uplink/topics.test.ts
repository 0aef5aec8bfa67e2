import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HuxiaoError } from '../../../edge/errors.js';
import { checkResponseTopic, outboundTopic, specOf, topic, topicRoot } from '../../../edge/uplink/topics.js';

const isTopicError = (error: unknown): boolean => error instanceof HuxiaoError && error.code === 'MQTT_TOPIC';

describe('topic layout', () => {
  it('builds full topics under prefix and gateway id', () => {
    const root = topicRoot('huxiao', 'school-12');
    assert.equal(outboundTopic(root, topic.alerts()), 'huxiao/school-12/alerts');
    assert.equal(outboundTopic(root, topic.alertState('01ARZ3NDEKTSV4RRFFQ69G5FAV')), 'huxiao/school-12/alerts/01ARZ3NDEKTSV4RRFFQ69G5FAV/state');
    assert.equal(specOf('status').retain, true);
    assert.equal(specOf('alerts/01ARZ3NDEKTSV4RRFFQ69G5FAV/snapshot').payload, 'jpeg');
  });

  it('refuses wildcards, unknown topics and publishing on an inbound topic', () => {
    assert.throws(() => outboundTopic('huxiao/gw', 'alerts/+/state'), isTopicError);
    assert.throws(() => outboundTopic('huxiao/gw', '#'), isTopicError);
    assert.throws(() => outboundTopic('huxiao/gw', 'alerts/x/unknown'), isTopicError);
    assert.throws(() => outboundTopic('huxiao/gw', 'cmd/ack'), isTopicError);
    assert.throws(() => topic.alertState('a/b'), isTopicError);
    assert.throws(() => topic.command('+'), isTopicError);
    assert.throws(() => topicRoot('huxiao', 'gw/+'), isTopicError);
  });

  it('accepts any concrete response topic but no wildcard', () => {
    assert.equal(checkResponseTopic('centre/replies/42'), 'centre/replies/42');
    assert.throws(() => checkResponseTopic('centre/#'), isTopicError);
    assert.throws(() => checkResponseTopic(''), isTopicError);
  });
});
