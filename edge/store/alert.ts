import { z } from 'zod';
import { RULE_TYPES, SEVERITIES } from '../config/rule-vocabulary.js';

export const ALERT_STATES = ['raised', 'acknowledged', 'resolved', 'expired'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/**
 * What listeners (voice, uplink) hear about an alert. `updated`: a repeat merged into it, or its identity arrived
 * (the next voice repeat names the person).
 */
export const ALERT_EVENTS = ['raised', 'updated', 'cleared', 'acknowledged', 'resolved', 'expired'] as const;
export type AlertEventKind = (typeof ALERT_EVENTS)[number];

/** Rows of alert_states and (all but `raised`) messages on `alerts/<id>/state`; `identified`: the identity arrived after the alert. */
export const STATE_EVENTS = ['raised', 'identified', 'cleared', 'acknowledged', 'resolved', 'expired'] as const;
export type StateEventKind = (typeof STATE_EVENTS)[number];

const ms = z.number().int().min(0).describe('Milliseconds since the Unix epoch.');

const boxSchema = z
  .object({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() })
  .strict()
  .describe('Box of the object in the camera picture (detect resolution pixels).');

/**
 * Who the person of an alert is: person id, list and score only, in the store and the outbox alike. The uplink adds
 * name and class to a payload when it sends it, only for lists whose config shares them (uplink/payloads.ts), and
 * the voice looks them up in the gallery when it speaks.
 */
export const identitySchema = z
  .object({
    personId: z.string().min(1).describe('Gallery person id.'),
    list: z.string().min(1).describe('Gallery list of the person: students, or keypersons:<category>.'),
    score: z.number().min(0).max(100).describe('Calibrated 0-100 face similarity (docs/identity.md); at or above the list\'s threshold.'),
  })
  .strict();
export type AlertIdentity = z.output<typeof identitySchema>;

/** The alert record, declared once: the store maps it to rows, the uplink publishes it (with `schema`, the topics of its pictures and the names a list shares). */
export const alertSchema = z
  .object({
    id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/).describe('ULID; the deduplication key for the centre.'),
    seq: z.number().int().min(1).describe('Per-gateway sequence number, increasing by one per alert raised.'),
    gateway: z.string().describe('Gateway id.'),
    type: z.enum([...RULE_TYPES, 'emergency']).describe('Rule type, or emergency for the emergency button.'),
    severity: z.enum(SEVERITIES),
    camera: z.string().describe('Camera of the deciding frame (the first camera for an emergency).'),
    zone: z.string().describe('Zone or line id of the rule; the button id for an emergency.'),
    rule: z.string().describe('Rule id from the config; "emergency-button" for the emergency button.'),
    trackId: z.number().int().nullable().describe('Tracker id of the object; null for rules about a zone as a whole.'),
    label: z.string().nullable().describe('Object class, e.g. person.'),
    score: z.number().min(0).max(1).nullable().describe('Detector confidence.'),
    box: boxSchema.nullable(),
    details: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).describe('Rule-specific figures (dwell seconds, count...).'),
    source: z.string().nullable().describe('What raised an emergency (button id); null otherwise.'),
    cameras: z.array(z.string()).describe('Cameras with a snapshot attached (one for a rule alert, the nearest ones for an emergency).'),
    firstSeenAt: ms.describe('When the object or condition was first seen (frame clock).'),
    lastSeenAt: ms.describe('Latest repeat of the hit (frame clock).'),
    decidedAt: ms.describe('Frame the rule decided on (frame clock).'),
    raisedAt: ms.describe('When the gateway committed the alert (wall clock).'),
    count: z.number().int().min(1).describe('Hits merged into this alert within the cooldown.'),
    state: z.enum(ALERT_STATES),
    clearedAt: ms.nullable().describe('When the condition ended (track left the zone); null while ongoing.'),
    identity: identitySchema
      .nullable()
      .describe('The person, from face identification; null when not known (yet: an identity arriving later comes as an identified state change) or when the rule does not identify.'),
    snapshot: z
      .object({ crop: z.boolean().describe('A tight crop around the box follows the annotated picture.') })
      .strict()
      .nullable()
      .describe('The pictures that follow the alert; null when the hit carried no frame.'),
  })
  .strict();

export type Alert = z.output<typeof alertSchema>;

export interface AlertEvent {
  readonly kind: AlertEventKind;
  readonly alert: Alert;
}
