import type { Config } from './config/schema.js';
import { HuxiaoError } from './errors.js';
import type { Camera } from './ingest/ffmpeg-args.js';
import { faceWork } from './identity/head-face.js';
import type { IdentityMatcher } from './identity/matcher.js';
import { FaceBudget } from './identity/track-identifier.js';
import type { FramePipeline } from './ingest/replay.js';
import { Perception, type PerceptionResult } from './perception.js';
import type { CountRecord, RuleEvent } from './rules/hit.js';
import { rolesNeeded } from './vision/roles.js';
import { VisionRuntime } from './vision/runtime.js';

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/**
 * Rule events and count records as replay prints them: one JSON object each, frame pixels left out, numbers rounded
 * so the text is the same on every machine. `type` names the record; a hit's rule type is `ruleType`.
 */
export function replayRecords(events: readonly RuleEvent[], counts: readonly CountRecord[]): object[] {
  const out: object[] = [];
  for (const e of events) {
    if (e.kind === 'clear') {
      out.push({ type: 'clear', rule: e.rule, camera: e.camera, ...(e.trackId === undefined ? {} : { trackId: e.trackId }), at: e.at });
      continue;
    }
    if (e.kind === 'identified') {
      out.push({ type: 'identified', rule: e.rule, camera: e.camera, trackId: e.trackId, identity: e.identity, at: e.at });
      continue;
    }
    out.push({
      type: 'hit',
      rule: e.rule,
      ruleType: e.type,
      severity: e.severity,
      camera: e.camera,
      zone: e.zone,
      ...(e.trackId === undefined ? {} : { trackId: e.trackId }),
      ...(e.label === undefined ? {} : { label: e.label }),
      ...(e.score === undefined ? {} : { score: round(e.score, 3) }),
      ...(e.box === undefined ? {} : { box: { x1: round(e.box.x1, 1), y1: round(e.box.y1, 1), x2: round(e.box.x2, 1), y2: round(e.box.y2, 1) } }),
      firstSeenAt: e.firstSeenAt,
      decidedAt: e.decidedAt,
      frameSeq: e.frameSeq,
      details: e.details,
      ...(e.identity === undefined ? {} : { identity: e.identity }),
    });
  }
  for (const c of counts) out.push({ type: 'count', rule: c.rule, camera: c.camera, zone: c.zone, from: c.from, to: c.to, counts: c.counts });
  return out;
}

export interface ReplayPerception {
  /** Undefined when the camera has no enabled rule: replay then only decodes, and needs no model. */
  readonly pipeline: FramePipeline | undefined;
  /** Per-frame results, for callers that look deeper than the printed records (tests, benchmarks). */
  readonly results: PerceptionResult[] | undefined;
  /** Stops the models; returns the records of the count minute still open. */
  stop(): Promise<object[]>;
}

/**
 * The perception pipeline `huxiao replay` plugs into ingest's replay: the models from the config's vision section,
 * one Perception for the camera, every frame awaited (replay never drops one).
 */
export async function openReplayPerception(options: { config: Config; camera: Camera; keepResults?: boolean; matcher?: IdentityMatcher }): Promise<ReplayPerception> {
  const { config, camera } = options;
  if (!config.rules.some((rule) => rule.camera === camera.id && rule.enabled)) return { pipeline: undefined, results: undefined, stop: () => Promise.resolve([]) };
  // No state directory: auto precision is the manifest's default, so a replay prints the same records on every machine.
  const vision = new VisionRuntime({ config: config.vision, roles: rolesNeeded(config) });
  await vision.start();
  const detector = vision.detector;
  if (detector === undefined) {
    const failed = vision.health().find((h) => h.role === 'detector')?.error;
    await vision.stop();
    throw new HuxiaoError(failed?.code === 'UNEXPECTED' || failed === undefined ? 'MODEL_LOAD' : failed.code, `the object detector could not be loaded: ${failed?.message ?? 'unknown reason'}`);
  }
  // Identity rules identify inline, each frame's face job awaited, so the same file gives the same identities everywhere.
  const { faceDetector, faceEmbedder } = vision;
  const identity =
    options.matcher === undefined || faceDetector === undefined || faceEmbedder === undefined
      ? undefined
      : { faceWork: faceWork({ detector: faceDetector, embedder: faceEmbedder }), matcher: options.matcher, budget: new FaceBudget(1), inline: true };
  const perception = new Perception({ camera, rules: config.rules, detector, timezone: config.gateway.timezone, scheduler: vision.scheduler, ...(identity === undefined ? {} : { identity }) });
  perception.start();
  const results: PerceptionResult[] | undefined = options.keepResults === true ? [] : undefined;
  return {
    pipeline: async (frame) => {
      const result = await perception.process(frame);
      results?.push({ ...result, events: result.events.map((e) => (e.kind === 'hit' ? { ...e, frame: undefined } : e)) });
      return replayRecords(result.events, result.counts);
    },
    results,
    stop: async () => {
      const counts = perception.stop();
      await vision.stop();
      return replayRecords([], counts);
    },
  };
}
