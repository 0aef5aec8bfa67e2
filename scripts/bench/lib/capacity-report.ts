import { matchCamera, rulesFps, summarize, type CameraTiming, type TimingSummary } from './alert-timing.js';
import type { Variant } from './capacity-footage.js';
import { expectedAlerts, type CameraPlan } from './capacity-scene.js';
import type { TrialObservation } from './gateway-trial.js';
import { cores, peakRss } from './proc-sampler.js';

/** What the limit is made of, measured once per bench run. */
export interface LimitInputs {
  /** Cores `ffmpeg -f null` uses to decode one stream of each variant. */
  readonly decode: ReadonlyMap<Variant, number>;
  readonly detectorCpuMsPerRun: number;
  /** Detector runs per second a busy camera's rules need (its detect fps) and a quiet camera's. */
  readonly busyRate: number;
  readonly quietRate: number;
}

/** Cores of decoding these cameras' streams plus the detector at the rate their rules need: the limit. */
export function limitCores(cameras: readonly CameraPlan[], inputs: LimitInputs): number {
  return cameras.reduce((sum, camera) => {
    const rate = camera.role === 'quiet' ? inputs.quietRate : inputs.busyRate;
    return sum + (inputs.decode.get(camera.variant) ?? 0) + (inputs.detectorCpuMsPerRun / 1000) * rate;
  }, 0);
}

export interface Row {
  readonly tree: string;
  readonly n: number;
  /** Frames per second reaching the rules, lowest and median camera; undefined without telemetry. */
  readonly fpsMin: number | undefined;
  readonly fpsMedian: number | undefined;
  readonly nodeCores: number | undefined;
  readonly ffmpegCores: number | undefined;
  readonly nodeRssMb: number;
  readonly ffmpegRssMb: number;
  readonly timing: TimingSummary;
  /** Each fence camera's expected alerts and what became of them. */
  readonly fences: readonly CameraTiming[];
  readonly limitCores: number;
  readonly errors: number;
}

/** The figures of one run of the gateway, over the window where every camera streams. */
export function rowOf(tree: string, cameras: readonly CameraPlan[], observation: TrialObservation, cutStart: number, limit: LimitInputs): Row {
  const { from, to } = observation.window;
  const fps = cameras
    .map((camera) => rulesFps(observation.telemetry.get(camera.id) ?? [], from, to))
    .filter((value): value is number => value !== undefined)
    .sort((a, b) => a - b);
  const fences = cameras
    .filter((camera) => camera.role === 'fence')
    .map((camera) => {
      const next = observation.nextSessions.get(camera.id) ?? Infinity;
      const alerts = observation.alerts.filter((alert) => alert.camera === camera.id && alert.decidedAt < next);
      return matchCamera(camera.id, expectedAlerts(camera, cutStart), observation.streamStarts.get(camera.id) ?? 0, alerts, observation.warnings);
    });
  return {
    tree,
    n: cameras.length,
    fpsMin: fps[0],
    fpsMedian: fps.length === 0 ? undefined : fps[Math.floor((fps.length - 1) / 2)],
    nodeCores: cores(observation.ticks, from, to, 'root'),
    ffmpegCores: cores(observation.ticks, from, to, 'ffmpeg'),
    nodeRssMb: peakRss(observation.ticks, from, to, 'root') / 2 ** 20,
    ffmpegRssMb: peakRss(observation.ticks, from, to, 'ffmpeg') / 2 ** 20,
    timing: summarize(fences),
    fences,
    limitCores: limitCores(cameras, limit),
    errors: observation.errors,
  };
}

const COLUMNS = ['tree', 'N', 'rules fps min/med', 'node cores', 'ffmpeg cores', 'RSS MB node/ffmpeg', 'fence alerts', 'extra', 'entry->warning p95', 'on time', 'limit cores', 'pipeline/limit'];
const WIDTHS = [6, 4, 19, 12, 14, 20, 14, 7, 20, 9, 13, 14];

function cell(values: readonly string[]): string {
  return values.map((value, i) => value.padEnd(WIDTHS[i] ?? 10)).join('').trimEnd();
}

const num = (value: number | undefined, digits: number): string => (value === undefined ? '-' : value.toFixed(digits));

export function tableHeader(): string {
  return cell(COLUMNS);
}

export function formatRow(row: Row): string {
  const { timing } = row;
  const pipeline = row.nodeCores === undefined || row.ffmpegCores === undefined ? undefined : row.nodeCores + row.ffmpegCores;
  const spoken = timing.spoken < timing.raised ? ` (${String(timing.spoken)} spoken)` : '';
  return cell([
    row.tree,
    String(row.n),
    `${num(row.fpsMin, 1)}/${num(row.fpsMedian, 1)}`,
    num(row.nodeCores, 2),
    num(row.ffmpegCores, 2),
    `${row.nodeRssMb.toFixed(0)}/${row.ffmpegRssMb.toFixed(0)}`,
    `${String(timing.raised)}/${String(timing.expected)}${spoken}`,
    String(timing.extra),
    timing.p95Ms === undefined ? '-' : `${(timing.p95Ms / 1000).toFixed(2)} s`,
    timing.onTime ? 'yes' : 'no',
    row.limitCores.toFixed(2),
    pipeline === undefined ? '-' : `${(pipeline / row.limitCores).toFixed(2)}x`,
  ]) + (row.errors > 0 ? `  (${String(row.errors)} error lines in the gateway log)` : '');
}

/** The largest N whose run raised every expected alert on time, or 0. */
export function largestOnTime(rows: readonly Row[]): Row | undefined {
  return rows.filter((row) => row.timing.onTime).sort((a, b) => b.n - a.n)[0];
}
