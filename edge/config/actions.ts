import { z } from 'zod';
import type { DeepReadonly } from './schema.js';

/** Placeholders a voice template may use; {name} and {class} come from face identification and may be missing. */
export const TEMPLATE_PLACEHOLDERS = ['name', 'class', 'zone', 'camera'] as const;
const IDENTITY_PLACEHOLDERS = /\{(name|class)\}/;
const ANY_PLACEHOLDER = /\{([^{}]*)\}/g;

export const PRIORITIES = ['normal', 'high', 'emergency'] as const;

const actionId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'expected 1-64 letters, digits, "_" or "-", starting with a letter or digit');

const lineSchema = z
  .union([
    z
      .object({
        chip: z.string().min(1).max(64).describe('Label of the GPIO chip as in /sys/class/gpio/gpiochip*/label or `gpiodetect`, e.g. pinctrl-bcm2711 or pinctrl-rp1.'),
        line: z.number().int().min(0).max(1023).describe('Line offset within the chip (on a Raspberry Pi: the BCM GPIO number).'),
      })
      .strict(),
    z.object({ sysfs: z.number().int().min(0).max(65_535).describe('Global sysfs GPIO number (chip base + offset); prefer chip + line, bases change between kernels.') }).strict(),
  ])
  .describe('A GPIO line: { chip: <label>, line: <offset> } (resolved against the chip base at start) or { sysfs: <number> }.');

const activeLow = z.boolean().default(false).describe('The line is active when driven or read low (relay boards and buttons to ground usually are).');

const voiceActionSchema = z
  .object({
    id: actionId.describe('Action id; rules name it in their `actions` list.'),
    type: z.literal('voice'),
    template: z.string().min(1).max(500).optional().describe('Text to speak; {name} {class} {zone} {camera} are filled from the alert.'),
    fallback: z.string().min(1).max(500).optional().describe('Text spoken when a placeholder of the template has no value (no identity yet); required when the template uses {name} or {class}.'),
    clip: z.string().min(1).optional().describe('Operator-recorded clip (WAV or MP3) played instead of synthesized speech; converted once at start.'),
    repeatSeconds: z.number().min(1).max(3600).default(10).describe('While the alert holds, the warning is repeated at this interval.'),
    maxRepeats: z.number().int().min(1).max(100).default(3).describe('The warning plays at most this many times per alert, the first included.'),
    priority: z.enum(PRIORITIES).optional().describe('Playback priority; by default from the alert severity (emergency -> emergency, critical -> high, else normal). A higher priority interrupts a lower one.'),
  })
  .strict()
  .superRefine((action, ctx) => {
    if ((action.template === undefined) === (action.clip === undefined)) ctx.addIssue({ code: 'custom', message: 'a voice action needs exactly one of template or clip' });
    for (const text of [action.template, action.fallback]) {
      for (const match of text?.matchAll(ANY_PLACEHOLDER) ?? []) {
        const name = match[1] ?? '';
        if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name)) ctx.addIssue({ code: 'custom', message: `unknown placeholder {${name}}; expected one of ${TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}` });
      }
    }
    if (action.template !== undefined && IDENTITY_PLACEHOLDERS.test(action.template) && action.fallback === undefined) {
      ctx.addIssue({ code: 'custom', path: ['fallback'], message: 'the template uses {name} or {class}; give a fallback for alerts without an identity' });
    }
    if (action.fallback !== undefined && IDENTITY_PLACEHOLDERS.test(action.fallback)) ctx.addIssue({ code: 'custom', path: ['fallback'], message: 'the fallback must not use {name} or {class}' });
  });

const sirenActionSchema = z
  .object({
    id: actionId.describe('Action id; rules name it in their `actions` list.'),
    type: z.literal('siren'),
    output: actionId.describe('Id of the relay output in gpio.outputs to switch on.'),
    onSeconds: z.number().min(0.1).max(3600).default(30).describe('How long the relay stays on (also bounded by the output\'s maxOnSeconds); ends early when the alert is acknowledged or resolved.'),
  })
  .strict();

export const actionSchema = z.discriminatedUnion('type', [voiceActionSchema, sirenActionSchema]);

const cacheSchema = z
  .object({
    dir: z.string().min(1).default('/var/lib/huxiao/audio').describe('Directory of rendered speech and converted clips; survives restarts.'),
    maxEntries: z.number().int().min(4).max(100_000).default(500).describe('At most this many cached clips; the least recently played are removed first.'),
    maxBytes: z.number().int().min(1_000_000).max(10_000_000_000).default(200_000_000).describe('At most this many bytes of cached clips.'),
  })
  .strict()
  .default({ dir: '/var/lib/huxiao/audio', maxEntries: 500, maxBytes: 200_000_000 })
  .describe('The on-disk cache of rendered warnings.');

const chimeSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Play a short chime before each message so people turn to the speaker.'),
    file: z.string().min(1).optional().describe('A WAV or MP3 chime; by default a two-tone chime synthesized with sox.'),
  })
  .strict()
  .default({ enabled: true })
  .describe('The attention chime.');

export const audioSchema = z
  .object({
    device: z.string().min(1).default('default').describe('ALSA playback device given to `aplay -D` (see `aplay -L`), e.g. default, plughw:CARD=Headphones.'),
    voice: z.string().min(1).max(64).default('cmn').describe('espeak-ng voice (`espeak-ng --voices`); cmn is Mandarin.'),
    wordsPerMinute: z.number().int().min(80).max(450).default(150).describe('Speaking rate of espeak-ng.'),
    queueSize: z.number().int().min(1).max(64).default(8).describe('At most this many warnings wait to be played; beyond it the lowest-priority, oldest is dropped.'),
    chime: chimeSchema,
    cache: cacheSchema,
  })
  .strict()
  .default({ device: 'default', voice: 'cmn', wordsPerMinute: 150, queueSize: 8, chime: { enabled: true }, cache: { dir: '/var/lib/huxiao/audio', maxEntries: 500, maxBytes: 200_000_000 } })
  .describe('Speech synthesis and playback of voice warnings.');

const amplifierSchema = z
  .object({
    line: lineSchema,
    activeLow,
    warmUpMs: z.number().int().min(0).max(10_000).default(300).describe('Time between switching the amplifier on and the first sound, so the start of a warning is not lost.'),
    releaseMs: z.number().int().min(0).max(600_000).default(3000).describe('The amplifier stays on this long after the last clip, so a repeat does not pay the warm-up again.'),
  })
  .strict()
  .describe('Output that enables the speaker amplifier.');

const relaySchema = z
  .object({
    id: actionId.describe('Output id; siren actions name it.'),
    line: lineSchema,
    activeLow,
    maxOnSeconds: z.number().min(0.1).max(3600).default(120).describe('The relay is switched off after this long whatever asks for it, so a siren never runs forever.'),
  })
  .strict();

const buttonSchema = z
  .object({
    line: lineSchema,
    activeLow: z.boolean().default(true).describe('The button pulls the line low when pressed (the usual wiring, with a pull-up).'),
    debounceMs: z.number().int().min(0).max(1000).default(30).describe('The level must hold this long to count as a press; the press is timed at its first edge.'),
    pollMs: z.number().int().min(1).max(500).default(10).describe('Poll interval used only where the kernel gives no edge interrupts on the line.'),
    cameras: z.array(z.string().min(1)).max(64).default([]).describe('Cameras whose snapshot goes with the emergency alert.'),
    siren: actionId.optional().describe('Id of a siren action sounded directly on a press, even if the alert store fails.'),
  })
  .strict()
  .describe('The one-button emergency alarm input.');

export const gpioSchema = z
  .object({
    amplifier: amplifierSchema.optional(),
    outputs: z
      .array(relaySchema)
      .max(32)
      .superRefine(uniqueIds)
      .default([])
      .describe('Siren, strobe and other relay outputs.'),
    emergencyButton: buttonSchema.optional(),
  })
  .strict()
  .default({ outputs: [] })
  .describe('GPIO outputs and inputs, switched through the kernel sysfs interface (onoff) or, where it is absent, the gpiod tools.');

function uniqueIds<T extends { id: string }>(items: readonly T[], ctx: z.core.$RefinementCtx<T[]>): void {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate id "${item.id}"` });
    seen.add(item.id);
  });
}

export const actionsSchema = z.array(actionSchema).max(256).superRefine(uniqueIds).default([]).describe('On-site actions that rules trigger by id: voice warnings and sirens.');

export type AudioConfig = DeepReadonly<z.output<typeof audioSchema>>;
export type ActionConfig = DeepReadonly<z.output<typeof actionSchema>>;
export type VoiceActionConfig = DeepReadonly<z.output<typeof voiceActionSchema>>;
export type SirenActionConfig = DeepReadonly<z.output<typeof sirenActionSchema>>;
export type GpioConfig = DeepReadonly<z.output<typeof gpioSchema>>;
export type GpioLineConfig = DeepReadonly<z.output<typeof lineSchema>>;
export type Priority = (typeof PRIORITIES)[number];

interface ReferencingConfig {
  readonly actions: readonly ActionConfig[];
  readonly gpio: GpioConfig;
  readonly cameras: readonly { readonly id: string }[];
  readonly rules: readonly { readonly actions: readonly string[] }[];
}

/** References across sections: rules name actions, sirens name outputs, the button names cameras and a siren. */
export function checkActionReferences(config: ReferencingConfig, ctx: z.core.$RefinementCtx): void {
  const actionIds = new Set(config.actions.map((action) => action.id));
  const outputIds = new Set(config.gpio.outputs.map((output) => output.id));
  config.rules.forEach((rule, index) => {
    rule.actions.forEach((id, at) => {
      if (!actionIds.has(id)) ctx.addIssue({ code: 'custom', path: ['rules', index, 'actions', at], message: `no action "${id}" in actions` });
    });
  });
  config.actions.forEach((action, index) => {
    if (action.type === 'siren' && !outputIds.has(action.output)) ctx.addIssue({ code: 'custom', path: ['actions', index, 'output'], message: `no output "${action.output}" in gpio.outputs` });
  });
  const button = config.gpio.emergencyButton;
  if (button === undefined) return;
  const cameraIds = new Set(config.cameras.map((camera) => camera.id));
  button.cameras.forEach((camera, index) => {
    if (!cameraIds.has(camera)) ctx.addIssue({ code: 'custom', path: ['gpio', 'emergencyButton', 'cameras', index], message: `no camera "${camera}" in cameras` });
  });
  if (button.siren !== undefined && !config.actions.some((action) => action.type === 'siren' && action.id === button.siren)) {
    ctx.addIssue({ code: 'custom', path: ['gpio', 'emergencyButton', 'siren'], message: `no siren action "${button.siren}" in actions` });
  }
}
