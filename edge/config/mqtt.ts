import { z } from 'zod';
import { secretSchema } from './secret.js';

const brokerUrl = z.string().refine((text) => {
  try {
    const url = new URL(text);
    return ['mqtt:', 'mqtts:', 'tcp:', 'tls:', 'ws:', 'wss:'].includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}, 'expected an mqtt://, mqtts://, ws:// or wss:// URL with a host');

/** A topic level or prefix: no wildcards, no empty levels. */
const topicPrefix = z.string().regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, 'expected topic levels of letters, digits, "_", "." or "-" separated by "/"');

const tlsSchema = z
  .object({
    ca: z.string().min(1).optional().describe('Path of the PEM file of the CA that signed the broker certificate.'),
    cert: z.string().min(1).optional().describe('Path of this gateway\'s PEM client certificate.'),
    key: z.string().min(1).optional().describe('Path of the PEM private key of the client certificate.'),
    rejectUnauthorized: z.boolean().default(true).describe('Verify the broker certificate; turn off only on a test bench.'),
  })
  .strict()
  .refine((tls) => (tls.cert === undefined) === (tls.key === undefined), { message: 'cert and key go together' })
  .describe('TLS files for an mqtts:// broker.');

const signingSchema = z
  .object({
    required: z.boolean().default(false).describe('Reject commands without a valid Ed25519 signature from the centre.'),
    publicKey: z.string().min(1).optional().describe('Path of the centre\'s Ed25519 public key (PEM, SPKI).'),
  })
  .strict()
  .refine((signing) => !signing.required || signing.publicKey !== undefined, { message: 'publicKey is required when signing is required', path: ['publicKey'] })
  .default({ required: false })
  .describe('Command signing: Ed25519 over the canonical command with timestamp and nonce.');

const commandsSchema = z
  .object({
    maxAgeSeconds: z.number().int().min(5).max(86_400).default(300).describe('Commands whose timestamp is further than this from the gateway clock are rejected as stale.'),
    signing: signingSchema,
  })
  .strict()
  .default({ maxAgeSeconds: 300, signing: { required: false } })
  .describe('Inbound commands from the centre.');

export const mqttSchema = z
  .object({
    url: brokerUrl.describe('Broker URL, e.g. mqtts://broker.district.example:8883.'),
    username: z.string().min(1).optional().describe('MQTT user name.'),
    password: secretSchema.optional().describe('MQTT password: inline, { env: NAME } or { file: PATH }. Never logged.'),
    tls: tlsSchema.optional(),
    protocolVersion: z
      .union([z.literal(5), z.literal(4)])
      .default(5)
      .describe('MQTT 5 (default), or 4 for an MQTT 3.1.1-only broker such as the demo\'s embedded one: no session expiry, and command replies go to `replies` with the request nonce instead of a response topic.'),
    prefix: topicPrefix.default('huxiao').describe('First topic level(s); the gateway id follows.'),
    keepaliveSeconds: z.number().int().min(5).max(3600).default(30).describe('MQTT keepalive.'),
    sessionExpirySeconds: z.number().int().min(0).max(4_294_967_295).default(604_800).describe('How long the broker keeps this gateway\'s session (subscriptions, queued commands) while it is offline.'),
    reconnectSeconds: z.number().min(0.1).max(300).default(5).describe('Delay between reconnect attempts.'),
    inflightWindow: z.number().int().min(1).max(1000).default(32).describe('Outbox messages published and not yet acknowledged (PUBACK) at most.'),
    telemetryIntervalSeconds: z.number().int().min(1).max(3600).default(60).describe('How often telemetry is published.'),
    commands: commandsSchema,
  })
  .strict()
  .describe('Uplink to the central platform. Without this section alerts stay in the local store (the demo starts its own broker).');

export type MqttConfig = z.output<typeof mqttSchema>;
