import { z } from 'zod';
import { isNormalized, type Point } from '../geometry/geometry.js';
import { KEYFRAME_RULE_TYPES, SEVERITIES } from './rule-vocabulary.js';
import type { DeepReadonly } from './schema.js';
import type { LineConfig, ZoneConfig } from './zones.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const ruleId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected 1-64 letters, digits, "_", "." or "-", starting with a letter or digit');
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected a time HH:MM (00:00 to 24:00)');

const windowSchema = z
  .object({
    days: z.array(z.enum(WEEKDAYS)).min(1).max(7).default([...WEEKDAYS]).describe('Weekdays the window starts on: mon, tue, wed, thu, fri, sat, sun.'),
    from: clock.describe('Start time, HH:MM in the gateway time zone.'),
    to: clock.describe('End time, HH:MM; earlier than from means the window runs past midnight.'),
  })
  .strict()
  .refine((w) => w.from !== w.to, { message: 'from and to must differ', path: ['to'] });

const scheduleSchema = z
  .object({ windows: z.array(windowSchema).min(1).max(32).describe('The rule is active inside any of these windows.') })
  .strict()
  .describe('When the rule is active, in the gateway time zone; without a schedule it is always active.');

const base = {
  id: ruleId.describe('Rule id, unique in the file; alerts carry it.'),
  camera: z.string().min(1).describe('Id of the camera the rule watches.'),
  severity: z.enum(SEVERITIES).default('warning').describe('info, warning, critical or emergency; voice warnings pre-empt by this order.'),
  enabled: z.boolean().default(true).describe('A disabled rule is validated but never fires.'),
  schedule: scheduleSchema.optional(),
  cooldownSeconds: z.number().min(0).max(86_400).default(30).describe('After a hit, the same rule does not fire again for the same object (or zone) for this long.'),
  actions: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected an action id')).max(16).default([]).describe('Ids of on-site actions (voice, GPIO) to run on a hit.'),
};
const zone = z.string().min(1).describe('Id of a zone on the rule\'s camera.');
const line = z.string().min(1).describe('Id of a line on the rule\'s camera.');
const seconds = (fallback: number, what: string) => z.number().min(0).max(86_400).default(fallback).describe(what);
const identify = z
  .boolean()
  .default(false)
  .describe(
    'Identify the person by face against the gallery: the alert then carries the person id, list and score, and a voice warning with {name} / {class} names them. The first warning does not wait for the face; it speaks the fallback when the person is not known yet.',
  );
const category = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'expected a key-person category: 1-32 lower-case letters, digits, "_" or "-"');
const identityZone = z.string().min(1).optional();
const tolerance = z
  .number()
  .min(0)
  .max(5)
  .default(0.3)
  .describe('How far the object may shift and still count as stationary, as a fraction of its box height.');

export const ruleSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('intrusion'), zone, identify }).strict().describe('A tracked object enters the zone.'),
  z
    .object({ ...base, type: z.literal('dwell'), zone, seconds: seconds(30, 'Seconds an object must stay in the zone.'), identify })
    .strict()
    .describe('Loitering: an object stays in the zone.'),
  z
    .object({
      ...base,
      type: z.literal('return'),
      zone,
      entries: z.number().int().min(2).max(100).default(3).describe('Entries into the zone by the same track that make a hit.'),
      windowSeconds: seconds(300, 'The entries must fall within this many seconds.'),
    })
    .strict()
    .describe('Repeated presence: the same track enters the zone again and again.'),
  z
    .object({
      ...base,
      type: z.literal('line-cross'),
      line,
      direction: z
        .enum(['left-to-right', 'right-to-left', 'both'])
        .default('both')
        .describe('Crossing direction that counts, with sides as seen standing at the line\'s end a looking towards b.'),
    })
    .strict()
    .describe('A track crosses the line (wall climbing, entering through a gate).'),
  z
    .object({
      ...base,
      type: z.literal('crowd'),
      zone,
      minPeople: z.number().int().min(2).max(500).default(4).describe('People that make a crowd.'),
      radius: z.number().positive().optional().describe('If set, the people must also stand within this many pixels of one another (a cluster), not just anywhere in the zone.'),
      seconds: seconds(10, 'Seconds the crowd must last.'),
    })
    .strict()
    .describe('Gathering: several people in the zone for a while.'),
  z
    .object({
      ...base,
      type: z.literal('object'),
      zone,
      labels: z.array(z.string().min(1)).min(1).default(['knife', 'baseball bat', 'scissors']).describe('Classes of interest.'),
      minScore: z.number().min(0).max(1).default(0.5).describe('Minimum detection confidence.'),
      minFrames: z.number().int().min(1).max(100).default(3).describe('Frames the object must be seen with that confidence.'),
    })
    .strict()
    .describe('An object of interest (a weapon) is seen in the zone.'),
  z
    .object({
      ...base,
      type: z.literal('parking'),
      zone,
      labels: z.array(z.string().min(1)).min(1).default(['car', 'motorcycle', 'bus', 'truck']).describe('Vehicle classes.'),
      seconds: seconds(120, 'Seconds a vehicle must stand still in the zone.'),
      tolerance,
    })
    .strict()
    .describe('Illegal parking: a vehicle stationary in the zone.'),
  z
    .object({
      ...base,
      type: z.literal('vendor'),
      zone,
      labels: z.array(z.string().min(1)).min(1).default(['person']).describe('Classes that count as a vendor.'),
      seconds: seconds(300, 'Seconds a person must stand still in the zone.'),
      tolerance,
    })
    .strict()
    .describe('A street vendor settles: a person stationary in a no-vendor zone.'),
  z
    .object({ ...base, type: z.literal('absence'), zone, seconds: seconds(60, 'Seconds the zone may be empty during the schedule.') })
    .strict()
    .describe('A post must be staffed: a hit when the zone has no person for a while during the schedule.'),
  z
    .object({
      ...base,
      type: z.literal('watchlist'),
      zone: identityZone.describe('Id of a zone on the rule\'s camera the person must be in; without one, anywhere in the picture.'),
      categories: z
        .union([z.literal('all'), z.array(category).min(1).max(32)])
        .default('all')
        .describe('Key-person categories (gallery lists keypersons:<category>) that make a hit, or all of them.'),
    })
    .strict()
    .describe('A key person of the watch list is seen: a person track identified by face as one of the listed categories, once per track.'),
  z
    .object({
      ...base,
      type: z.literal('minor-venue'),
      zone: identityZone.describe('Id of the entrance zone on the rule\'s camera the person must be in; without one, anywhere in the picture.'),
    })
    .strict()
    .describe('A minor at a venue entrance: a person track identified by face as one of the students gallery, once per track.'),
  z
    .object({
      ...base,
      type: z.literal('count'),
      zone: zone.optional(),
      line: line.optional(),
    })
    .strict()
    .describe('People entering and leaving a zone, or crossing a line, counted per minute; gives count records, not hits. Set exactly one of zone and line.'),
]);

export const rulesSchema = z.array(ruleSchema).max(256).default([]).describe('Rules that turn tracked objects into hits.');

export type RuleConfig = DeepReadonly<z.output<typeof ruleSchema>>;
export type ScheduleConfig = DeepReadonly<z.output<typeof scheduleSchema>>;

/** The label face identification works on: only person tracks have faces to look for. */
export const IDENTITY_LABEL = 'person';

/** Rules whose hits carry an identity, so their cameras need the face models: watchlist, minor-venue, intrusion / dwell with identify. */
export function usesIdentity(rule: RuleConfig): boolean {
  switch (rule.type) {
    case 'watchlist':
    case 'minor-venue':
      return true;
    case 'intrusion':
    case 'dwell':
      return rule.identify;
    case 'return':
    case 'line-cross':
    case 'crowd':
    case 'object':
    case 'parking':
    case 'vendor':
    case 'absence':
    case 'count':
      return false;
  }
}

/**
 * Whether any rule, enabled or not, needs identities: then the gateway opens the gallery and loads the face models.
 * Disabled rules count, as for the models: a reload may enable them, and it reopens neither.
 */
export function needsIdentity(config: { readonly rules: readonly RuleConfig[] }): boolean {
  return config.rules.some(usesIdentity);
}

/**
 * Cameras whose enabled rules need faces identified, in config order. The face detector and embedder are needed
 * exactly when this is not empty (the vision runtime loads them on demand from it).
 */
export function identityCameras(config: { readonly cameras: readonly { readonly id: string; readonly enabled: boolean }[]; readonly rules: readonly RuleConfig[] }): string[] {
  const wanted = new Set(config.rules.filter((rule) => rule.enabled && usesIdentity(rule)).map((rule) => rule.camera));
  return config.cameras.filter((camera) => camera.enabled && wanted.has(camera.id)).map((camera) => camera.id);
}

interface CheckedCamera {
  readonly id: string;
  readonly detect: { readonly width: number; readonly height: number };
  readonly input: { readonly decode: 'all' | 'keyframes' };
  readonly zones: readonly ZoneConfig[];
  readonly lines: readonly LineConfig[];
}

function outsidePicture(points: readonly Point[], camera: CheckedCamera): boolean {
  if (isNormalized(points)) return false;
  return points.some(([x, y]) => x > camera.detect.width || y > camera.detect.height);
}

function checkCamera(camera: CheckedCamera, index: number, ctx: z.core.$RefinementCtx): void {
  const ids = new Set<string>();
  const claim = (id: string, path: PropertyKey[]) => {
    if (ids.has(id)) ctx.addIssue({ code: 'custom', path, message: `duplicate zone or line id "${id}" on camera "${camera.id}"` });
    ids.add(id);
  };
  const size = `${camera.detect.width}x${camera.detect.height}`;
  camera.zones.forEach((z, i) => {
    claim(z.id, ['cameras', index, 'zones', i, 'id']);
    if (outsidePicture(z.polygon, camera)) ctx.addIssue({ code: 'custom', path: ['cameras', index, 'zones', i, 'polygon'], message: `a point lies outside the ${size} detect picture` });
  });
  camera.lines.forEach((l, i) => {
    claim(l.id, ['cameras', index, 'lines', i, 'id']);
    if (outsidePicture([l.a, l.b], camera)) ctx.addIssue({ code: 'custom', path: ['cameras', index, 'lines', i], message: `an end lies outside the ${size} detect picture` });
  });
}

/** Checks that need the whole file: unique ids, every rule's camera, zone and line exist, labels a zone actually watches. */
export function checkRuleReferences(config: { readonly cameras: readonly CheckedCamera[]; readonly rules: readonly RuleConfig[] }, ctx: z.core.$RefinementCtx): void {
  config.cameras.forEach((camera, index) => {
    checkCamera(camera, index, ctx);
  });
  const ruleIds = new Set<string>();
  config.rules.forEach((rule, index) => {
    const at = (key: string): PropertyKey[] => ['rules', index, key];
    if (ruleIds.has(rule.id)) ctx.addIssue({ code: 'custom', path: at('id'), message: `duplicate rule id "${rule.id}"` });
    ruleIds.add(rule.id);
    const camera = config.cameras.find((c) => c.id === rule.camera);
    if (camera === undefined) {
      ctx.addIssue({ code: 'custom', path: at('camera'), message: `no camera "${rule.camera}" in cameras` });
      return;
    }
    const zoneId = 'zone' in rule ? rule.zone : undefined;
    const lineId = 'line' in rule ? rule.line : undefined;
    if (rule.type === 'count' && (zoneId === undefined) === (lineId === undefined)) {
      ctx.addIssue({ code: 'custom', path: at('zone'), message: 'a count rule needs exactly one of zone and line' });
    }
    if (zoneId !== undefined) {
      const zone = camera.zones.find((z) => z.id === zoneId);
      if (zone === undefined) ctx.addIssue({ code: 'custom', path: at('zone'), message: `camera "${camera.id}" has no zone "${zoneId}"` });
      else if ('labels' in rule && !rule.labels.some((label) => zone.labels.includes(label))) {
        ctx.addIssue({ code: 'custom', path: at('labels'), message: `zone "${zone.id}" watches only ${zone.labels.join(', ')}; add one of these labels to the zone` });
      } else if (usesIdentity(rule) && !zone.labels.includes(IDENTITY_LABEL)) {
        ctx.addIssue({ code: 'custom', path: at('zone'), message: `zone "${zone.id}" watches only ${zone.labels.join(', ')}; identifying faces needs ${IDENTITY_LABEL} in the zone's labels` });
      }
    }
    if (lineId !== undefined && !camera.lines.some((l) => l.id === lineId)) {
      ctx.addIssue({ code: 'custom', path: at('line'), message: `camera "${camera.id}" has no line "${lineId}"` });
    }
    if (rule.enabled && camera.input.decode === 'keyframes' && (!KEYFRAME_RULE_TYPES.includes(rule.type) || usesIdentity(rule))) {
      ctx.addIssue({
        code: 'custom',
        path: at('camera'),
        message: `camera "${camera.id}" decodes only key frames (input.decode: keyframes), too few for a ${rule.type} rule; set its input.decode to all, or disable the rule`,
      });
    }
  });
}
