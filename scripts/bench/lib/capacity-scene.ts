import { stringify } from 'yaml';
import type { Variant } from './capacity-footage.js';

/**
 * What each camera of the capacity bench watches. `fence`: the demo's pond fence (config/demo.yaml) with its intrusion
 * and 12 s dwell rules and voice warnings, on a busy camera; `gate`: a line-cross and a loitering rule on the
 * mirrored footage; `quiet`: an absence rule on a still scene (a guard post that stays staffed).
 */
export type Role = 'fence' | 'gate' | 'quiet';

export interface CameraPlan {
  readonly id: string;
  readonly role: Role;
  readonly variant: Variant;
}

/** The bench's two sets: N busy fence cameras (plain and mirrored alternating), or the school mix. */
export type SetName = 'busy' | 'mix';

export function camerasOf(set: SetName, n: number): CameraPlan[] {
  if (set === 'busy') {
    return Array.from({ length: n }, (_, index) => ({ id: `busy-${String(index + 1)}`, role: 'fence', variant: index % 2 === 0 ? 'plain' : 'mirrored' }));
  }
  if (n < 2) throw new Error('the school mix needs at least 2 cameras (the pond and the gate)');
  return [
    { id: 'pond', role: 'fence', variant: 'plain' },
    { id: 'gate', role: 'gate', variant: 'mirrored' },
    ...Array.from({ length: n - 2 }, (_, index): CameraPlan => ({ id: `quiet-${String(index + 1)}`, role: 'quiet', variant: 'quiet' })),
  ];
}

type Point = readonly [number, number];

/** config/demo.yaml's pond fence, in pixels of the footage's own 768x576 picture. */
const DEMO_FENCE: readonly Point[] = [[0, 300], [330, 370], [520, 450], [768, 530], [768, 576], [0, 576]];
/** The same fence normalized to 0..1, so it fits the 1280x720 picture. */
const FENCE: readonly Point[] = DEMO_FENCE.map(([x, y]) => [round(x / 768), round(y / 576)]);

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function fenceFor(variant: Variant): Point[] {
  return FENCE.map(([x, y]) => [variant === 'mirrored' ? round(1 - x) : x, y]);
}

export interface ExpectedAlert {
  readonly type: 'intrusion' | 'dwell';
  /** Seconds into the footage of the first frame at which the alert is due (see DUE). */
  readonly dueSeconds: number;
  /** An earlier time the same alert is rightly due at, when the footage leaves it to the frames sampled (see DUE). */
  readonly orDueSeconds?: number;
}

/**
 * When each expected alert of a fence camera is due, in seconds of the footage: for an intrusion the first 5 fps frame
 * with the person's feet inside the fence, for the dwell that frame plus the 12 s. These are the `firstSeenAt` (plus
 * 12 s) of `huxiao replay` of each 1280x720 variant with this fence (deterministic, every frame processed); they agree
 * with test/fixtures/scenario/demo.md: the man steps in at 50.8 s, the woman, hidden behind him, becomes a track of her
 * own at 53.6 s (54.0 s mirrored) and is still inside 12 s later. She has been inside since 50.8 s, though: where the
 * two part, the track that entered may stay with her rather than with him (live frames are sampled a frame off the
 * replay's; it happens mostly on the mirrored footage), and her dwell is then rightly due 12 s after that entry, at
 * 62.8 s. The rule's cooldown keeps a second dwell from following.
 */
const DUE: Readonly<Record<'plain' | 'mirrored', readonly ExpectedAlert[]>> = {
  plain: [{ type: 'intrusion', dueSeconds: 50.8 }, { type: 'intrusion', dueSeconds: 53.6 }, { type: 'dwell', dueSeconds: 65.6, orDueSeconds: 62.8 }],
  mirrored: [{ type: 'intrusion', dueSeconds: 50.8 }, { type: 'intrusion', dueSeconds: 54 }, { type: 'dwell', dueSeconds: 66, orDueSeconds: 62.8 }],
};

/** The alerts a camera must raise, due in seconds of its stream (the footage cut at `cutStart`); none for gate or quiet. */
export function expectedAlerts(camera: CameraPlan, cutStart: number): ExpectedAlert[] {
  if (camera.role !== 'fence' || camera.variant === 'quiet') return [];
  return DUE[camera.variant].map((alert) => ({
    ...alert,
    dueSeconds: round(alert.dueSeconds - cutStart),
    ...(alert.orDueSeconds === undefined ? {} : { orDueSeconds: round(alert.orDueSeconds - cutStart) }),
  }));
}

/** `cameras[].input.decode` of the quiet cameras: their absence rule needs a look a second, a key frame gives it. */
export type QuietDecode = 'all' | 'keyframes';

export interface GatewayConfigOptions {
  readonly gatewayId: string;
  readonly quietDecode: QuietDecode;
  /** Each camera with the RTSP URL it reads. */
  readonly cameras: readonly (CameraPlan & { readonly url: string })[];
  readonly storeDir: string;
  readonly audioDir: string;
  readonly brokerUrl: string;
  readonly telemetrySeconds: number;
}

function zonesAndRules(camera: CameraPlan): { zones: object[]; lines: object[]; rules: object[] } {
  const { id } = camera;
  switch (camera.role) {
    case 'fence':
      return {
        zones: [{ id: 'pond-fence', polygon: fenceFor(camera.variant) }],
        lines: [],
        rules: [
          { id: `${id}-intrusion`, type: 'intrusion', camera: id, zone: 'pond-fence', severity: 'critical', cooldownSeconds: 60, actions: ['fence-warning'] },
          { id: `${id}-dwell`, type: 'dwell', camera: id, zone: 'pond-fence', seconds: 12, severity: 'critical', cooldownSeconds: 60, actions: ['dwell-warning'] },
        ],
      };
    case 'gate':
      return {
        // The plaza before the buildings, and a line across the footpath.
        zones: [{ id: 'apron', polygon: [[0, 0.2], [1, 0.2], [1, 0.55], [0, 0.55]] }],
        lines: [{ id: 'gate-line', a: [0.5, 0.25], b: [0.5, 0.65] }],
        rules: [
          { id: `${id}-cross`, type: 'line-cross', camera: id, line: 'gate-line' },
          { id: `${id}-loiter`, type: 'dwell', camera: id, zone: 'apron', seconds: 20 },
        ],
      };
    case 'quiet':
      // The two people standing on the right of the path in the still.
      return {
        zones: [{ id: 'post', polygon: [[0.75, 0.45], [1, 0.45], [1, 0.8], [0.75, 0.8]] }],
        lines: [],
        rules: [{ id: `${id}-absence`, type: 'absence', camera: id, zone: 'post', seconds: 60 }],
      };
  }
}

/**
 * The `huxiao run` config file of one bench run, as YAML; only keys today's main already knows, so it runs there too,
 * but for the quiet cameras' `input.decode` where the build has it.
 */
export function gatewayConfig(options: GatewayConfigOptions): string {
  const cameras = options.cameras.map((camera) => ({ camera, ...zonesAndRules(camera) }));
  const config = {
    version: 1,
    gateway: { id: options.gatewayId, timezone: 'UTC' },
    storage: { dir: options.storeDir },
    audio: { device: 'null', cache: { dir: options.audioDir } },
    mqtt: { url: options.brokerUrl, telemetryIntervalSeconds: options.telemetrySeconds },
    cameras: cameras.map(({ camera, zones, lines }) => ({
      id: camera.id,
      url: camera.url,
      detect: { width: 1280, height: 720, fps: 5 },
      ...(camera.role === 'quiet' && options.quietDecode === 'keyframes' ? { input: { decode: 'keyframes' } } : {}),
      zones,
      lines,
    })),
    rules: cameras.flatMap(({ rules }) => rules),
    // config/demo.yaml's warnings.
    actions: [
      { id: 'fence-warning', type: 'voice', template: '{class}{name}同学，你已进入水边危险区域，请立即离开！', fallback: '同学，你已进入水边危险区域，请立即离开！', repeatSeconds: 8, maxRepeats: 3 },
      { id: 'dwell-warning', type: 'voice', template: '请不要在水边逗留，马上离开！', repeatSeconds: 8, maxRepeats: 2 },
    ],
  };
  return stringify(config);
}
