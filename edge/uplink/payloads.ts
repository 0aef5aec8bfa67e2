import { z } from 'zod';
import { LIST_PATTERN } from '../config/identity.js';
import { base64Length } from '../identity/photo-upload.js';
import { ALERT_STATES, STATE_EVENTS, alertSchema, identitySchema } from '../store/alert.js';

/**
 * Schema version of the JSON payloads on the wire, per payload: bumped on any incompatible change of that payload,
 * documented in docs/mqtt.md. Status, telemetry and commands are at 1.
 */
export const PAYLOAD_SCHEMA_VERSION = 1;
/** Alerts and alert state changes: 2 since the identity (schema 1 had `identity: null` and no `identified` event). */
export const ALERT_PAYLOAD_VERSION = 2;

const version = z.literal(PAYLOAD_SCHEMA_VERSION).describe('Payload schema version.');
const alertVersion = z.literal(ALERT_PAYLOAD_VERSION).describe('Payload schema version.');
const ms = z.number().int().min(0).describe('Milliseconds since the Unix epoch.');
const ulid = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/);

/** On the wire an alert names the topics its pictures follow on, where the record only says which pictures there are. */
const alertSnapshotTopicsSchema = z
  .object({
    topic: z.string().describe('Relative topic the annotated JPEG is published on.'),
    cropTopic: z.string().nullable().describe('Relative topic of the tight crop around the box.'),
  })
  .strict()
  .nullable()
  .describe('Where the pictures follow; null when the hit carried no frame.');

/**
 * On the wire an identity carries name and class for a list whose config shares them (shareNames); the uplink adds
 * them when it sends, so the store and the outbox hold person id, list and score only.
 */
const wireIdentitySchema = identitySchema
  .extend({
    name: z.string().min(1).optional().describe('The person\'s name; only when the config shares names of this list.'),
    class: z.string().min(1).optional().describe('The student\'s class, e.g. 三年级二班; only when the config shares names of this list.'),
  })
  .strict();
export type WireIdentity = z.output<typeof wireIdentitySchema>;

export const alertPayloadSchema = alertSchema
  .extend({
    snapshot: alertSnapshotTopicsSchema,
    identity: wireIdentitySchema
      .nullable()
      .describe('The person, from face identification; null when not known (yet: an identity arriving later comes as an identified state change) or when the rule does not identify.'),
    schema: alertVersion,
  })
  .strict()
  .describe('An alert, published once per alert on `alerts` (redelivery keeps the id).');
export type AlertPayload = z.output<typeof alertPayloadSchema>;

export const statePayloadSchema = z
  .object({
    schema: alertVersion,
    id: ulid.describe('Alert id.'),
    seq: z.number().int().min(1).describe('Alert seq.'),
    event: z.enum(STATE_EVENTS).exclude(['raised']).describe('What happened; identified: the person was identified after the alert was raised.'),
    state: z.enum(ALERT_STATES).describe('Alert state after the event.'),
    at: ms,
    by: z.string().nullable().describe('Who acknowledged or resolved (from the command), null for gateway events.'),
    note: z.string().nullable().describe('Acknowledgement note or resolution feedback.'),
    count: z.number().int().min(1).describe('Hits merged into the alert so far.'),
    lastSeenAt: ms,
    clearedAt: ms.nullable(),
    identity: wireIdentitySchema.nullable().describe('The alert\'s identity after the event (as in the alert); null while the person is not known.'),
  })
  .strict()
  .describe('An alert state change, on `alerts/<id>/state`.');
export type StatePayload = z.output<typeof statePayloadSchema>;

export const statusPayloadSchema = z
  .object({
    schema: version,
    gateway: z.string(),
    state: z.enum(['online', 'offline']),
    version: z.string().describe('Huxiao Edge release.'),
    startedAt: ms,
    at: ms,
  })
  .strict()
  .describe('Retained gateway availability on `status`; the last will publishes state offline.');

const cameraTelemetry = z
  .object({
    id: z.string(),
    state: z.string().describe('Camera state, e.g. streaming, reconnecting, stalled, disabled.'),
    fps: z.number().min(0),
    drops: z.number().int().min(0).describe('Frames dropped since start.'),
    reconnects: z.number().int().min(0),
    detect: z
      .object({
        hz: z.number().min(0).describe('Detector runs per second over the last few seconds.'),
        wantHz: z.number().min(0).describe('Runs per second the camera\'s rules ask for now.'),
        reason: z
          .string()
          .describe('Why the camera gets that rate: zone-activity (something moving near an intrusion zone or a line), motion (near a presence rule), redetect, stationary (only still objects to re-check), idle (nothing near any rule), first, lighting, disabled (no motion gate), or budget (its share of the inference budget is below what its rules ask for).'),
        belowNeed: z.boolean().describe('The camera runs below the detect rate its rules ask for, for lack of inference budget.'),
      })
      .strict()
      .optional()
      .describe('The inference scheduler\'s choice for the camera; absent for a camera without a detector.'),
  })
  .strict();

/** What the controller's telemetry provider supplies; the uplink adds outbox and link figures. */
export const telemetryInputSchema = z
  .object({
    cameras: z.array(cameraTelemetry),
    inference: z.object({ latencyMsP50: z.number().min(0).nullable(), latencyMsP95: z.number().min(0).nullable() }).strict(),
    disk: z.object({ usedBytes: z.number().int().min(0), quotaBytes: z.number().int().min(0), full: z.boolean() }).strict(),
  })
  .strict();
export type TelemetryInput = z.output<typeof telemetryInputSchema>;

export const telemetryPayloadSchema = telemetryInputSchema
  .extend({
    schema: version,
    gateway: z.string(),
    at: ms,
    uptimeSeconds: z.number().min(0),
    outbox: z.object({ depth: z.number().int().min(0), emergencyDepth: z.number().int().min(0) }).strict().describe('Messages not yet acknowledged by the broker.'),
    uplink: z.object({ reconnects: z.number().int().min(0) }).strict(),
  })
  .strict()
  .describe('Periodic health on `telemetry`.');

export const commandRequestSchema = z
  .object({
    schema: version.optional(),
    ts: ms.describe('When the centre sent the command; stale commands are rejected.'),
    nonce: z.string().min(8).max(128).describe('Unique per command; a repeated nonce is rejected when signing is on.'),
    args: z.record(z.string(), z.unknown()).default({}).describe('Command arguments (per command, see docs/mqtt.md).'),
    sig: z.string().max(200).optional().describe('Base64 Ed25519 signature of the canonical command (docs/mqtt.md).'),
  })
  .strict()
  .describe('A command on `cmd/<name>`, with the reply address in the MQTT 5 response topic and correlation data.');
export type CommandRequest = z.output<typeof commandRequestSchema>;

export const commandReplySchema = z
  .object({
    schema: version,
    command: z.string(),
    nonce: z.string().nullable().describe('Nonce of the request (null when the payload was unreadable): matches replies on the shared replies topic.'),
    ok: z.boolean(),
    result: z.unknown().optional().describe('Command result when ok.'),
    error: z.object({ code: z.string(), message: z.string() }).strict().optional().describe('Error code (docs/errors.md) and message when not ok.'),
    at: ms,
  })
  .strict()
  .describe('Reply to a command, on its response topic with its correlation data (or on `replies`).');
export type CommandReply = z.output<typeof commandReplySchema>;

export const ackArgsSchema = z
  .object({ id: ulid.describe('Alert id.'), by: z.string().min(1).max(200).describe('Who signs for the alert.'), note: z.string().max(2000).optional() })
  .strict()
  .describe('Arguments of cmd/ack.');
export const resolveArgsSchema = z
  .object({ id: ulid, by: z.string().min(1).max(200).describe('Who handled the alert.'), feedback: z.string().min(1).max(4000).describe('What was done.') })
  .strict()
  .describe('Arguments of cmd/resolve.');
export const pingArgsSchema = z.object({}).strict().describe('Arguments of cmd/ping (none).');
export const snapshotArgsSchema = z.object({ camera: z.string().min(1).max(64) }).strict().describe('Arguments of cmd/snapshot.');
export const configReloadArgsSchema = z.object({}).strict().describe('Arguments of cmd/config.reload (none).');

/** A photo in cmd/enroll: a phone photo downscaled to ~1,000 px is 100-300 KB, the face needs 80 px of it. */
export const MAX_COMMAND_PHOTO_BYTES = 1_048_576;
export const MAX_COMMAND_PHOTOS = 5;
const personId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected 1-64 letters, digits, "_", "." or "-", starting with a letter or digit')
  .describe("The person's id, e.g. the student number; the centre's key for the person.");
const centreActor = z.string().trim().min(1).max(80).optional().describe('Who at the centre asks; the audit records `centre:<by>` (or `centre`).');

export const enrollArgsSchema = z
  .object({
    id: personId,
    list: z.string().regex(LIST_PATTERN, 'expected "students" or "keypersons:<category>"').describe('students, or keypersons:<category>.'),
    name: z.string().min(1).max(100),
    class: z.string().max(100).optional().describe('Class and grade, e.g. 三年级二班.'),
    school: z.string().max(200).optional(),
    consent: z.string().min(1).max(200).describe('Reference of the consent or authorization the enrollment rests on.'),
    photos: z
      .array(z.string().min(1).max(base64Length(MAX_COMMAND_PHOTO_BYTES), `a photo may have at most ${String(MAX_COMMAND_PHOTO_BYTES / 1_048_576)} MiB (${String(base64Length(MAX_COMMAND_PHOTO_BYTES))} base64 characters)`))
      .min(1)
      .max(MAX_COMMAND_PHOTOS)
      .describe(`1-${String(MAX_COMMAND_PHOTOS)} base64 JPEG photos of the person, at most 1 MiB each; each must show exactly one face, at least 80 px wide and sharp.`),
    by: centreActor,
  })
  .strict()
  .describe('Arguments of cmd/enroll.');
export const unenrollArgsSchema = z.object({ id: personId, by: centreActor }).strict().describe('Arguments of cmd/unenroll.');

/** Each JSON payload with its schema file name under docs/schemas/. */
export const PAYLOAD_SCHEMAS = {
  'alert.v2': alertPayloadSchema,
  'alert-state.v2': statePayloadSchema,
  'status.v1': statusPayloadSchema,
  'telemetry.v1': telemetryPayloadSchema,
  'command.v1': commandRequestSchema,
  'command-reply.v1': commandReplySchema,
  'cmd-ack.args.v1': ackArgsSchema,
  'cmd-resolve.args.v1': resolveArgsSchema,
  'cmd-ping.args.v1': pingArgsSchema,
  'cmd-snapshot.args.v1': snapshotArgsSchema,
  'cmd-config.reload.args.v1': configReloadArgsSchema,
  'cmd-enroll.args.v1': enrollArgsSchema,
  'cmd-unenroll.args.v1': unenrollArgsSchema,
} as const;
