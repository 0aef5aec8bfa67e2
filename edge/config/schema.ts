import { z } from 'zod';
import { actionsSchema, audioSchema, checkActionReferences, gpioSchema } from './actions.js';
import { camerasSchema } from './cameras.js';
import { gatewaySchema } from './gateway.js';
import { identitySchema } from './identity.js';
import { alertsSchema } from './alerts.js';
import { mqttSchema } from './mqtt.js';
import { storageSchema } from './storage.js';
import { checkRuleReferences, rulesSchema } from './rules.js';
import { visionSchema } from './vision.js';
import { webSchema } from './web.js';

export const CONFIG_VERSION = 1;

/**
 * The config file, declared once. Each section lives in its own module beside this one and is owned by the
 * stage it configures; the TypeScript type below is derived from this schema, and config/schema.json is generated from it.
 */
export const configSchema = z
  .object({
    version: z.literal(CONFIG_VERSION).default(CONFIG_VERSION).describe('Version of this file\'s format.'),
    gateway: gatewaySchema,
    cameras: camerasSchema,
    vision: visionSchema,
    rules: rulesSchema,
    alerts: alertsSchema,
    storage: storageSchema,
    mqtt: mqttSchema.optional(),
    audio: audioSchema,
    actions: actionsSchema,
    gpio: gpioSchema,
    web: webSchema,
    identity: identitySchema,
  })
  .strict()
  .superRefine(checkRuleReferences)
  .superRefine(checkActionReferences)
  .describe('Huxiao Edge gateway configuration.');

export type ConfigInput = z.input<typeof configSchema>;
export type Config = DeepReadonly<z.output<typeof configSchema>>;

/** Pairs stay pairs (zone points are [x, y]), so frozen config still type-checks against geometry code. */
export type DeepReadonly<T> = T extends [infer A, infer B]
  ? readonly [DeepReadonly<A>, DeepReadonly<B>]
  : T extends (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends ((...args: never[]) => unknown) | { reveal(): string }
      ? T
      : T extends object
        ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
        : T;
