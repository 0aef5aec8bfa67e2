import type { Alert } from '../store/alert.js';
import type { AlertChange, OutboxMessage } from '../store/outbox.js';
import { PAYLOAD_SCHEMA_VERSION, type AlertPayload } from './payloads.js';
import { topic, validated } from './topics.js';

/** What the centre receives for one outbox message: its relative topic, and a JSON payload or a picture file. */
export type WireMessage =
  | { readonly topic: string; readonly json: Buffer }
  | {
      readonly topic: string;
      /** Path relative to the snapshots directory, read when it is published. */
      readonly file: string;
      readonly contentType: string;
      /** MQTT 5 user properties of the picture (docs/mqtt.md). */
      readonly userProperties: Readonly<Record<string, string>>;
    };

const JPEG = 'image/jpeg';

/** The alert as published on `alerts`, before validation. */
export function alertPayload(alert: Alert): AlertPayload {
  const snapshot = alert.snapshot === null ? null : { topic: topic.alertSnapshot(alert.id), cropTopic: alert.snapshot.crop ? topic.alertCrop(alert.id) : null };
  return { schema: PAYLOAD_SCHEMA_VERSION, ...alert, snapshot };
}

function statePayload(change: AlertChange): unknown {
  return { schema: PAYLOAD_SCHEMA_VERSION, ...change };
}

/** The relative topic an outbox message is published on. */
export function topicOf(message: OutboxMessage): string {
  switch (message.kind) {
    case 'alert':
      return topic.alerts();
    case 'alert-state':
      return topic.alertState(message.change.id);
    case 'snapshot':
      return message.picture.kind === 'frame' ? topic.alertSnapshot(message.picture.alertId) : topic.alertCrop(message.picture.alertId);
  }
}

/** Topic and payload of an outbox message; a JSON payload is checked against its topic's schema (PAYLOAD_INVALID). */
export function wireMessage(message: OutboxMessage): WireMessage {
  const relative = topicOf(message);
  switch (message.kind) {
    case 'alert':
      return { topic: relative, json: jsonOf(relative, alertPayload(message.alert)) };
    case 'alert-state':
      return { topic: relative, json: jsonOf(relative, statePayload(message.change)) };
    case 'snapshot': {
      const { camera, path, sha256 } = message.picture;
      // The content type is a user property as well: the centres that read version 1 find it there.
      return { topic: relative, file: path, contentType: JPEG, userProperties: { sha256, camera, contentType: JPEG } };
    }
  }
}

function jsonOf(relative: string, payload: unknown): Buffer {
  return Buffer.from(JSON.stringify(validated(relative, payload)), 'utf8');
}
