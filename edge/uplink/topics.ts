import type { z } from 'zod';
import { HuxiaoError } from '../errors.js';
import { alertPayloadSchema, commandReplySchema, commandRequestSchema, statePayloadSchema, statusPayloadSchema, telemetryPayloadSchema } from './payloads.js';

/**
 * The one place that knows the topic layout. Everything under `<prefix>/<gateway>/` is named here relative to that root,
 * with its direction, QoS, retain flag and payload; domain code asks for a relative topic, never builds strings itself.
 */
interface JsonTopic {
  readonly direction: 'out' | 'in';
  readonly retain: boolean;
  readonly payload: z.ZodType;
}
interface JpegTopic {
  readonly direction: 'out';
  readonly retain: false;
  readonly payload: 'jpeg';
}
export type TopicSpec = JsonTopic | JpegTopic;

export const TOPICS = {
  status: { direction: 'out', retain: true, payload: statusPayloadSchema },
  alerts: { direction: 'out', retain: false, payload: alertPayloadSchema },
  'alerts/{id}/state': { direction: 'out', retain: false, payload: statePayloadSchema },
  'alerts/{id}/snapshot': { direction: 'out', retain: false, payload: 'jpeg' },
  'alerts/{id}/crop': { direction: 'out', retain: false, payload: 'jpeg' },
  'cameras/{camera}/snapshot': { direction: 'out', retain: false, payload: 'jpeg' },
  telemetry: { direction: 'out', retain: false, payload: telemetryPayloadSchema },
  replies: { direction: 'out', retain: false, payload: commandReplySchema },
  'cmd/{name}': { direction: 'in', retain: false, payload: commandRequestSchema },
} as const satisfies Record<string, TopicSpec>;

export type TopicPattern = keyof typeof TOPICS;

/** Every message is QoS 1: at least once, the centre deduplicates by alert id. */
export const QOS = 1;

const LEVEL = /^[A-Za-z0-9_.-]+$/;

function checkLevel(value: string, what: string): string {
  if (!LEVEL.test(value)) throw new HuxiaoError('MQTT_TOPIC', `${what} "${value}" is not a valid topic level (letters, digits, "_", "." or "-")`);
  return value;
}

export const topic = {
  status: (): string => 'status',
  alerts: (): string => 'alerts',
  alertState: (id: string): string => `alerts/${checkLevel(id, 'alert id')}/state`,
  alertSnapshot: (id: string): string => `alerts/${checkLevel(id, 'alert id')}/snapshot`,
  alertCrop: (id: string): string => `alerts/${checkLevel(id, 'alert id')}/crop`,
  cameraSnapshot: (camera: string): string => `cameras/${checkLevel(camera, 'camera id')}/snapshot`,
  telemetry: (): string => 'telemetry',
  replies: (): string => 'replies',
  command: (name: string): string => `cmd/${checkLevel(name, 'command name')}`,
} as const;

/** Finds the layout entry of a relative topic; unknown topics and wildcards are refused. */
export function specOf(relative: string): TopicSpec {
  if (relative.includes('+') || relative.includes('#')) throw new HuxiaoError('MQTT_TOPIC', `topic "${relative}" contains a wildcard`);
  const levels = relative.split('/');
  for (const [pattern, spec] of Object.entries(TOPICS) as [TopicPattern, TopicSpec][]) {
    const parts = pattern.split('/');
    if (parts.length !== levels.length) continue;
    if (parts.every((part, index) => (part.startsWith('{') ? LEVEL.test(levels[index] ?? '') : part === levels[index]))) return spec;
  }
  throw new HuxiaoError('MQTT_TOPIC', `topic "${relative}" is not in the uplink topic layout`);
}

/** Checks a JSON payload against its topic's schema: once, just before it leaves the gateway. */
export function validated(relative: string, payload: unknown): unknown {
  const spec = specOf(relative);
  if (spec.payload === 'jpeg') throw new HuxiaoError('PAYLOAD_INVALID', `${relative}: carries a JPEG, not JSON`);
  const result = spec.payload.safeParse(payload);
  if (!result.success) throw new HuxiaoError('PAYLOAD_INVALID', `${relative}: ${result.error.message}`);
  return result.data;
}

/** Full topic for publishing: prefix + gateway + relative, checked against the layout. */
export function outboundTopic(root: string, relative: string): string {
  const spec = specOf(relative);
  if (spec.direction !== 'out') throw new HuxiaoError('MQTT_TOPIC', `topic "${relative}" is inbound only`);
  return `${root}/${relative}`;
}

export function topicRoot(prefix: string, gateway: string): string {
  return `${prefix}/${checkLevel(gateway, 'gateway id')}`;
}

/** A response topic chosen by the centre: any concrete topic, but never a wildcard. */
export function checkResponseTopic(value: string): string {
  if (value === '' || value.includes('+') || value.includes('#')) throw new HuxiaoError('MQTT_TOPIC', `response topic "${value}" is empty or contains a wildcard`);
  return value;
}
