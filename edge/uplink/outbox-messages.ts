import type { PersonDirectory } from '../identity/matcher.js';
import type { Alert, AlertIdentity } from '../store/alert.js';
import type { AlertChange, OutboxMessage } from '../store/outbox.js';
import { ALERT_PAYLOAD_VERSION, type AlertPayload, type StatePayload, type WireIdentity } from './payloads.js';
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

/**
 * The identity as the centre may see it, decided when the message is sent: name and class only for a list whose
 * config shares them and a person still in the gallery (one removed since keeps its person id only).
 */
function disclosed(identity: AlertIdentity | null, directory: PersonDirectory | undefined): WireIdentity | null {
  if (identity === null || directory?.sharesNames(identity.list) !== true) return identity;
  const names = directory.names(identity.personId);
  if (names === undefined) return identity;
  return { ...identity, name: names.name, ...(names.class === undefined ? {} : { class: names.class }) };
}

/**
 * The alert as published on `alerts`, before validation. Alerts stored before identities (store schema 2, converted
 * by migration 3) have `identity: null` and go out at the current payload version like any other.
 */
export function alertPayload(alert: Alert, directory?: PersonDirectory): AlertPayload {
  const snapshot = alert.snapshot === null ? null : { topic: topic.alertSnapshot(alert.id), cropTopic: alert.snapshot.crop ? topic.alertCrop(alert.id) : null };
  return { schema: ALERT_PAYLOAD_VERSION, ...alert, identity: disclosed(alert.identity, directory), snapshot };
}

function statePayload(change: AlertChange, directory: PersonDirectory | undefined): StatePayload {
  return { schema: ALERT_PAYLOAD_VERSION, ...change, identity: disclosed(change.identity ?? null, directory) };
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

/**
 * Topic and payload of an outbox message; a JSON payload is checked against its topic's schema (PAYLOAD_INVALID).
 * `directory` supplies the names of the lists that share them; without it identities carry person ids only.
 */
export function wireMessage(message: OutboxMessage, directory?: PersonDirectory): WireMessage {
  const relative = topicOf(message);
  switch (message.kind) {
    case 'alert':
      return { topic: relative, json: jsonOf(relative, alertPayload(message.alert, directory)) };
    case 'alert-state':
      return { topic: relative, json: jsonOf(relative, statePayload(message.change, directory)) };
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
