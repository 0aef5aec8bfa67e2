import { percentile } from '../../../edge/vision/latency-window.js';
import type { ExpectedAlert } from './capacity-scene.js';

/** The fields of a received alert the timing needs (a subset of the alert payload). */
export interface ObservedAlert {
  readonly id: string;
  readonly camera: string;
  readonly type: string;
  /** Frame clock of the deciding frame (wall ms on a live camera). */
  readonly decidedAt: number;
}

export interface MatchedAlert {
  readonly type: ExpectedAlert['type'];
  /** Wall ms at which the alert was due: stream start + due seconds. */
  readonly dueAt: number;
  /** The alert raised for it, if any. */
  readonly alertId: string | undefined;
  /** Due -> the first warning of that alert started playing; undefined when no alert or no warning. */
  readonly latencyMs: number | undefined;
}

export interface CameraTiming {
  readonly camera: string;
  readonly matched: readonly MatchedAlert[];
  /** Alerts of the camera that match no expected one (a track id switched, a false detection). */
  readonly extra: number;
}

/** An alert decided this long before its due time still counts: live frames are sampled a frame off the replay's. */
const EARLY_MS = 1000;
/** An alert decided later than this after its due time is not the expected one (it is counted as extra). */
const LATE_MS = 10_000;

/**
 * Pairs a camera's expected alerts with the alerts it raised: in due order, each takes the earliest unused alert of its
 * type decided within [due - 1 s, due + 10 s] (from its earlier due time, when it has one; the alert is then timed from
 * the latest due time it was not decided more than 1 s before). `streamStart` is the wall ms of the stream's first picture (the PLAY of
 * its RTSP session); `warnings` maps an alert id to when its first warning started playing.
 */
export function matchCamera(
  camera: string,
  expected: readonly ExpectedAlert[],
  streamStart: number,
  alerts: readonly ObservedAlert[],
  warnings: ReadonlyMap<string, number>,
): CameraTiming {
  const own = alerts.filter((alert) => alert.camera === camera).sort((a, b) => a.decidedAt - b.decidedAt);
  const used = new Set<string>();
  const matched = [...expected]
    .sort((a, b) => a.dueSeconds - b.dueSeconds)
    .map((want): MatchedAlert => {
      const at = (seconds: number): number => streamStart + Math.round(seconds * 1000);
      const latest = at(want.dueSeconds);
      const earliest = at(Math.min(want.dueSeconds, want.orDueSeconds ?? want.dueSeconds));
      const alert = own.find((a) => !used.has(a.id) && a.type === want.type && a.decidedAt >= earliest - EARLY_MS && a.decidedAt <= latest + LATE_MS);
      if (alert === undefined) return { type: want.type, dueAt: latest, alertId: undefined, latencyMs: undefined };
      used.add(alert.id);
      const dueAt = alert.decidedAt >= latest - EARLY_MS ? latest : earliest;
      const warning = warnings.get(alert.id);
      return { type: want.type, dueAt, alertId: alert.id, latencyMs: warning === undefined ? undefined : warning - dueAt };
    });
  return { camera, matched, extra: own.length - used.size };
}

export interface TimingSummary {
  readonly expected: number;
  /** Expected alerts that were raised. */
  readonly raised: number;
  /** Of those, the ones whose warning started playing. */
  readonly spoken: number;
  readonly extra: number;
  /** p95 of due -> warning over the spoken ones; undefined when none was. */
  readonly p95Ms: number | undefined;
  /** Every expected alert raised and spoken, with p95 within the budget. */
  readonly onTime: boolean;
}

/** The budget from the fence entry to the warning starting. */
export const ON_TIME_MS = 1500;

export function summarize(cameras: readonly CameraTiming[]): TimingSummary {
  const all = cameras.flatMap((camera) => camera.matched);
  const latencies = all.flatMap((m) => (m.latencyMs === undefined ? [] : [m.latencyMs])).sort((a, b) => a - b);
  const p95Ms = latencies.length === 0 ? undefined : percentile(latencies, 0.95);
  return {
    expected: all.length,
    raised: all.filter((m) => m.alertId !== undefined).length,
    spoken: latencies.length,
    extra: cameras.reduce((sum, camera) => sum + camera.extra, 0),
    p95Ms,
    onTime: all.length > 0 && latencies.length === all.length && p95Ms !== undefined && p95Ms <= ON_TIME_MS,
  };
}

/** One camera's entry of a telemetry message. */
export interface TelemetrySample {
  /** Gateway wall ms of the message. */
  readonly at: number;
  /** Frames per second the camera delivered (5 s window). */
  readonly fps: number;
  /** Frames dropped since start: by the frame reader, or replaced while perception was busy. */
  readonly drops: number;
}

/**
 * Frames per second that reached the rules, over the telemetry samples inside [from, to]: the delivered rate minus
 * the rate of drops (telemetry counts both reader drops and frames superseded while perception was busy; the reader
 * almost never drops with the worker's pool, so this is the rate perception processed). Undefined without a sample.
 */
export function rulesFps(samples: readonly TelemetrySample[], from: number, to: number): number | undefined {
  const inside = samples.filter((s) => s.at >= from && s.at <= to).sort((a, b) => a.at - b.at);
  const first = inside[0];
  const last = inside.at(-1);
  if (first === undefined || last === undefined) return undefined;
  const delivered = inside.reduce((sum, s) => sum + s.fps, 0) / inside.length;
  const span = (last.at - first.at) / 1000;
  const dropRate = span > 0 ? (last.drops - first.drops) / span : 0;
  return Math.max(0, delivered - dropRate);
}
