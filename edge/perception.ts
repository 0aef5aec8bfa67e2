import type { CameraConfig } from './config/cameras.js';
import { IDENTITY_LABEL, usesIdentity, type RuleConfig } from './config/rules.js';
import type { DeepReadonly } from './config/schema.js';
import type { Frame } from './ingest/frame.js';
import type { IdentityMatcher } from './identity/matcher.js';
import type { FaceWork } from './identity/head-face.js';
import { TrackIdentifier, type FaceBudget, type IdentifierStats } from './identity/track-identifier.js';
import { moduleLogger, type Logger } from './log.js';
import { DetectNeeds, NEED_REASONS, type DetectNeed } from './rules/detect-need.js';
import { RuleEngine } from './rules/engine.js';
import type { CountRecord, RuleEvent } from './rules/hit.js';
import { Tracker, type Track } from './track/tracker.js';
import type { Box } from './geometry/geometry.js';
import type { Detection, ObjectDetector } from './vision/detection.js';
import type { InferenceScheduler } from './vision/inference-scheduler.js';
import { MotionGate, type GateReason } from './vision/motion-gate.js';

/** Why the detector ran on a frame or not: what the rules needed, or `budget` when the scheduler refused the run. */
export const DETECT_REASONS = [...NEED_REASONS, 'budget'] as const;
export type DetectReason = (typeof DETECT_REASONS)[number];

export interface PerceptionOptions {
  readonly camera: DeepReadonly<CameraConfig>;
  /** All rules of the config; the pipeline keeps the enabled ones of its camera. */
  readonly rules: readonly RuleConfig[];
  readonly detector: ObjectDetector;
  /** Gateway IANA time zone, for rule schedules. */
  readonly timezone: string;
  /** The box-wide scheduler the detector runs are asked of; without one every run the rules need is made. */
  readonly scheduler?: Pick<InferenceScheduler, 'admit'>;
  /** Face identification for the camera's identity rules; without it (or without such rules) no face is looked at. */
  readonly identity?: PerceptionIdentity;
}

export interface PerceptionIdentity {
  readonly faceWork: FaceWork;
  readonly matcher: IdentityMatcher;
  /** Face jobs in flight over all cameras (shared by the gateway's pipelines). */
  readonly budget: FaceBudget;
  /**
   * Wait for each frame's face job before returning (replay: the same file gives the same identities on any
   * machine). Live cameras never wait: face work runs beside the next frames and its result is seen a frame later.
   */
  readonly inline?: boolean;
}

export interface PerceptionResult {
  readonly camera: string;
  readonly frameSeq: number;
  readonly ts: number;
  readonly detectorRan: boolean;
  readonly gate: GateReason;
  /** Why the detector ran or not on this frame (the scheduler's decision included). */
  readonly reason: DetectReason;
  /** Region the detector searched; absent when it searched the whole frame (or did not run). */
  readonly roi?: Box;
  /** Detections of the classes the camera's zones and lines watch, as fed to the tracker. */
  readonly detections: readonly Detection[];
  readonly tracks: readonly Track[];
  readonly events: readonly RuleEvent[];
  readonly counts: readonly CountRecord[];
}

interface Running {
  readonly gate: MotionGate;
  readonly tracker: Tracker;
  readonly engine: RuleEngine;
  readonly labels: ReadonlySet<string>;
  readonly needs: DetectNeeds;
  readonly identifier: TrackIdentifier | undefined;
}

/**
 * One camera's pipeline: frame -> motion gate -> detector -> tracker -> zones and rules -> events.
 * Frames must come one at a time (await each); the result depends only on the frame sequence, so a replay of the
 * same file gives the same events on any machine (face identification included when it runs inline; live, an
 * identity lands on whichever frame follows its face job). The frame's pixels are not kept after `process` resolves:
 * hits carry their own copy.
 */
export class Perception {
  readonly #options: PerceptionOptions;
  #rules: readonly RuleConfig[];
  #rulesChanged = false;
  #running: Running | undefined;
  #log: Logger | undefined;
  #lastRunAt = Number.NEGATIVE_INFINITY;

  constructor(options: PerceptionOptions) {
    this.#options = options;
    this.#rules = options.rules;
  }

  start(): void {
    const { camera } = this.#options;
    this.#log = moduleLogger('perception', { camera: camera.id });
    this.#rulesChanged = false;
    this.#lastRunAt = Number.NEGATIVE_INFINITY;
    const holdStillMs = camera.motion.stationarySeconds * 1000;
    this.#running = { gate: new MotionGate(camera.motion), tracker: new Tracker(camera.tracker, { holdStillMs }), ...this.#ruling(undefined) };
    this.#log.info({ rules: this.#running.engine.ruleCount, labels: [...this.#running.labels], identity: this.#running.identifier !== undefined }, 'perception started');
  }

  /**
   * New rules (a config reload) for a camera whose own config did not change: a new rule engine on the same motion
   * gate and tracker, so tracks keep their ids, and the engine carries over what the unchanged rules know (dwell
   * timers, open conditions, cooldowns). Applies from the next frame, once the frame in progress is through the old engine.
   */
  updateRules(rules: readonly RuleConfig[]): void {
    this.#rules = rules;
    this.#rulesChanged = true;
  }

  /** Face identification figures; undefined when the camera identifies no one. */
  identityStats(): IdentifierStats | undefined {
    return this.#running?.identifier?.stats();
  }

  /** Closes the count minutes in progress (end of a replay) and forgets all state. */
  stop(): CountRecord[] {
    const counts = this.#running?.engine.flush() ?? [];
    this.#running?.identifier?.stop();
    this.#running = undefined;
    return counts;
  }

  /**
   * The rule engine of this camera's enabled rules, the classes their zones and lines watch, what they need of
   * the detector, and the face identification their identity rules need. New rules keep the identifier, so known tracks stay known.
   */
  #ruling(previous: Running | undefined): Pick<Running, 'engine' | 'labels' | 'needs' | 'identifier'> {
    const { camera, timezone, identity } = this.#options;
    const mine = this.#rules.filter((r) => r.camera === camera.id && r.enabled);
    const areas = new Set(mine.flatMap((r) => ['zone' in r ? r.zone : undefined, 'line' in r ? r.line : undefined]));
    const labels = new Set([...camera.zones, ...camera.lines].filter((a) => areas.has(a.id)).flatMap((a) => a.labels));
    // An identity rule without a zone watches every person in the picture.
    if (mine.some((r) => (r.type === 'watchlist' || r.type === 'minor-venue') && r.zone === undefined)) labels.add(IDENTITY_LABEL);
    let identifier: TrackIdentifier | undefined;
    if (identity !== undefined && mine.some(usesIdentity)) identifier = previous?.identifier ?? new TrackIdentifier({ camera: camera.id, ...identity });
    else previous?.identifier?.stop();
    const engine = new RuleEngine({ camera, rules: mine, timezone, ...(previous === undefined ? {} : { previous: previous.engine }) });
    return { engine, labels, needs: new DetectNeeds({ camera, rules: mine }), identifier };
  }

  async process(frame: Frame): Promise<PerceptionResult> {
    let running = this.#running;
    if (running === undefined) throw new Error('Perception.process called before start()');
    if (this.#rulesChanged) {
      this.#rulesChanged = false;
      running = this.#running = { gate: running.gate, tracker: running.tracker, ...this.#ruling(running) };
      this.#log?.info({ rules: running.engine.ruleCount, labels: [...running.labels], identity: running.identifier !== undefined }, 'rules updated');
    }
    const { gate, tracker, engine, labels, needs, identifier } = running;
    const image = { width: frame.width, height: frame.height, data: frame.data };
    const before = needs.watchful(tracker.tracks(frame.ts));
    const plan = labels.size === 0 ? { run: false, reason: 'still' as const, changed: 0 } : gate.plan(image, before, frame.ts);
    const need = needs.need(plan, before);
    const { run, reason } = this.#decide(need, frame, before);

    let detections: Detection[] = [];
    let tracks: Track[];
    if (run) {
      this.#lastRunAt = frame.ts;
      gate.ran(plan, before, frame.ts);
      const found = await this.#options.detector.detect(image, { camera: frame.camera, ...(plan.roi === undefined ? {} : { roi: plan.roi }) });
      detections = found.filter((d) => labels.has(d.label));
      tracks = tracker.update(detections, frame.ts, plan.roi);
      gate.forget(new Set(tracks.map((t) => t.id)));
    } else {
      tracks = tracker.skip(frame.ts);
    }

    const { events, counts, identify } = engine.update(tracks, {
      ts: frame.ts,
      seq: frame.seq,
      snapshot: () => ({ width: frame.width, height: frame.height, data: Buffer.from(frame.data) }),
      ...(identifier === undefined ? {} : { identityOf: (trackId: number) => identifier.identityOf(trackId) }),
    });
    if (identifier !== undefined) {
      identifier.observe(image, frame.ts, tracks, identify);
      if (this.#options.identity?.inline === true) await identifier.settle();
    }
    for (const e of events) if (e.kind === 'hit') this.#log?.info({ rule: e.rule, zone: e.zone, trackId: e.trackId, frameSeq: e.frameSeq, list: e.identity?.list }, 'rule hit');
    return {
      camera: frame.camera,
      frameSeq: frame.seq,
      ts: frame.ts,
      detectorRan: run,
      gate: plan.reason,
      reason,
      ...(plan.roi === undefined || !run ? {} : { roi: plan.roi }),
      detections,
      tracks,
      events,
      counts,
    };
  }

  /**
   * Whether the detector runs on this frame: when the rules' interval has passed since the last run (half a frame of
   * slack, so a 500 ms interval at 5 fps runs every second or third frame, not drifting), and the scheduler admits it.
   */
  #decide(need: DetectNeed, frame: Frame, tracks: readonly Track[]): { run: boolean; reason: DetectReason } {
    const { id, detect, motion } = this.#options.camera;
    const frameMs = 1000 / detect.fps;
    if (frame.ts - this.#lastRunAt < need.intervalMs - frameMs / 2) return { run: false, reason: need.reason };
    const job = { camera: id, model: 'detector' as const, urgency: need.urgency, intervalMs: Math.max(frameMs, demandMs(need, motion, tracks)) };
    if (this.#options.scheduler !== undefined && !this.#options.scheduler.admit(job, frame.ts)) return { run: false, reason: 'budget' };
    return { run: true, reason: need.reason };
  }
}

/**
 * How often runs like this one come, which is what the scheduler shares the budget by. A periodic look is due now but
 * comes once per redetectSeconds (stationarySeconds); asking for it at the frame rate would claim a share the camera
 * never uses and leave it unspent while other cameras are refused. A tentative track is looked at on every frame until
 * it is confirmed.
 */
function demandMs(need: DetectNeed, motion: DeepReadonly<CameraConfig>['motion'], tracks: readonly Track[]): number {
  if (tracks.some((t) => t.state === 'tentative')) return need.intervalMs;
  if (need.reason === 'redetect') return motion.redetectSeconds * 1000;
  if (need.reason === 'stationary') return motion.stationarySeconds * 1000;
  return need.intervalMs;
}
