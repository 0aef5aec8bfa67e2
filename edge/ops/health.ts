import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { CameraState } from '../ingest/camera-status.js';

/**
 * ok: doing its job. degraded: not doing all of it, but a restart would not help (a camera that is down and being
 * reconnected, a model that failed to load, a full disk). wedged: stuck in a way only a restart clears (the event
 * loop starved, the store's write lock unobtainable, a camera no longer supervised, perception no longer advancing).
 */
export type Verdict = 'ok' | 'degraded' | 'wedged';

export interface HealthCheck {
  /** event-loop, store, detector, or camera (with `camera` set). */
  readonly name: string;
  readonly camera?: string;
  readonly verdict: Verdict;
  /** Why, when not ok. Never a camera URL, a person or an ffmpeg line: only states and figures. */
  readonly detail?: string;
}

export interface HealthReport {
  /** Nothing is wedged: the systemd watchdog is fed and /healthz/live answers 200. */
  readonly live: boolean;
  /** Every check is ok and the runtime is running: /healthz answers 200. */
  readonly ready: boolean;
  readonly checks: readonly HealthCheck[];
}

/** What the health check reads of one camera at each sample. */
export interface CameraProbe {
  readonly camera: string;
  readonly state: CameraState;
  /** Frames delivered, frames through perception and ffmpeg restarts since the camera started. */
  readonly frames: number;
  readonly processed: number;
  readonly reconnects: number;
  /** No detector: perception does not run, so `processed` stands still by design. */
  readonly degraded: boolean;
  readonly stallTimeoutSeconds: number;
  readonly maxReconnectDelayMs: number;
}

export interface HealthSources {
  readonly cameras: () => readonly CameraProbe[];
  /** Throws when the store cannot take its write lock now. */
  readonly probeStore: () => void;
  /** The disk or quota is full: alerts cannot be written until retention makes room. */
  readonly storeFull: () => boolean;
  /** Undefined when no camera needs one; otherwise whether the detector model is loaded. */
  readonly detectorReady: () => boolean | undefined;
  /** starting until the runtime is up, stopping once shutdown began. */
  readonly phase: () => 'starting' | 'running' | 'stopping';
}

export interface HealthOptions {
  /** Monotonic milliseconds; tests step it. */
  readonly now?: () => number;
  /** How often camera progress is sampled. */
  readonly sampleMs?: number;
  /** Event-loop delay window; the p99 of the last complete window is judged. */
  readonly lagWindowMs?: number;
  /** Sustained event-loop delay above this is wedged. */
  readonly maxLagMs?: number;
  /** Frames arriving while perception finished none for this long is wedged. */
  readonly perceptionStallMs?: number;
}

/** Before its first frame ffmpeg may spend this long on the RTSP handshake (edge/ingest/camera-source.ts). */
const STARTUP_TIMEOUT_MS = 15_000;
/**
 * Time the camera source takes to act on a stall (its check runs every second, ffmpeg gets 0.5 s to exit) plus one
 * sample of this check, and margin for a loaded box.
 */
const ACT_GRACE_MS = 5000;

interface Progress {
  frames: number;
  processed: number;
  reconnects: number;
  state: CameraState;
  framesAt: number;
  processedAt: number;
  supervisedAt: number;
}

/**
 * One health evaluation for /healthz and the systemd watchdog. Cameras are sampled every second on a monotonic clock
 * (a wall-clock jump at NTP sync must not look like a stall): the time their frame, perception and reconnect counters
 * last moved decides whether frames are fresh, perception advances, and a camera that is down is still being retried.
 */
export class Health {
  readonly #sources: HealthSources;
  readonly #now: () => number;
  readonly #sampleMs: number;
  readonly #lagWindowMs: number;
  readonly #maxLagMs: number;
  readonly #perceptionStallMs: number;
  readonly #progress = new Map<string, Progress>();
  #delay: IntervalHistogram | undefined;
  #windowStart = 0;
  #lastLagMs = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(sources: HealthSources, options: HealthOptions = {}) {
    this.#sources = sources;
    this.#now = options.now ?? (() => performance.now());
    this.#sampleMs = options.sampleMs ?? 1000;
    this.#lagWindowMs = options.lagWindowMs ?? 5000;
    this.#maxLagMs = options.maxLagMs ?? 1000;
    this.#perceptionStallMs = options.perceptionStallMs ?? 30_000;
  }

  start(): void {
    this.#delay = monitorEventLoopDelay({ resolution: 20 });
    this.#delay.enable();
    this.#windowStart = this.#now();
    this.sample();
    this.#timer = setInterval(() => {
      this.sample();
    }, this.#sampleMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#delay?.disable();
    this.#delay = undefined;
  }

  /** Records which counters moved since the last sample; the timer calls it, tests call it after stepping the clock. */
  sample(): void {
    const now = this.#now();
    const seen = new Set<string>();
    for (const probe of this.#sources.cameras()) {
      seen.add(probe.camera);
      const last = this.#progress.get(probe.camera);
      if (last === undefined) {
        const { frames, processed, reconnects, state } = probe;
        this.#progress.set(probe.camera, { frames, processed, reconnects, state, framesAt: now, processedAt: now, supervisedAt: now });
        continue;
      }
      if (probe.frames !== last.frames) last.framesAt = now;
      if (probe.processed !== last.processed) last.processedAt = now;
      if (probe.frames !== last.frames || probe.reconnects !== last.reconnects || probe.state !== last.state) last.supervisedAt = now;
      Object.assign(last, { frames: probe.frames, processed: probe.processed, reconnects: probe.reconnects, state: probe.state });
    }
    for (const camera of this.#progress.keys()) if (!seen.has(camera)) this.#progress.delete(camera);
    if (this.#delay !== undefined && now - this.#windowStart >= this.#lagWindowMs) {
      this.#lastLagMs = this.#delay.count === 0 ? 0 : this.#delay.percentile(99) / 1e6;
      this.#delay.reset();
      this.#windowStart = now;
    }
  }

  evaluate(): HealthReport {
    // Sampled first, so a camera whose first frame came after the last timer sample is judged on it.
    this.sample();
    const checks: HealthCheck[] = [this.#eventLoop(), this.#store()];
    const detector = this.#sources.detectorReady();
    if (detector !== undefined) checks.push(detector ? { name: 'detector', verdict: 'ok' } : { name: 'detector', verdict: 'degraded', detail: 'model not loaded: no rule is evaluated' });
    const now = this.#now();
    for (const probe of this.#sources.cameras()) checks.push(this.#camera(probe, now));
    const live = checks.every((check) => check.verdict !== 'wedged');
    const ready = live && this.#sources.phase() === 'running' && checks.every((check) => check.verdict === 'ok');
    return { live, ready, checks };
  }

  #eventLoop(): HealthCheck {
    const lag = Math.round(this.#lastLagMs);
    if (lag > this.#maxLagMs) return { name: 'event-loop', verdict: 'wedged', detail: `delay p99 ${String(lag)} ms over the last ${String(this.#lagWindowMs / 1000)} s (limit ${String(this.#maxLagMs)} ms)` };
    return { name: 'event-loop', verdict: 'ok' };
  }

  #store(): HealthCheck {
    try {
      this.#sources.probeStore();
    } catch (error) {
      return { name: 'store', verdict: 'wedged', detail: `not writable: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (this.#sources.storeFull()) return { name: 'store', verdict: 'degraded', detail: 'full (disk or storage quota)' };
    return { name: 'store', verdict: 'ok' };
  }

  #camera(probe: CameraProbe, now: number): HealthCheck {
    const base = { name: 'camera', camera: probe.camera };
    const progress = this.#progress.get(probe.camera);
    if (progress === undefined) return { ...base, verdict: 'degraded', detail: 'not sampled yet' };
    const stallMs = probe.stallTimeoutSeconds * 1000;
    const silentMs = now - progress.framesAt;
    const seconds = (ms: number): string => `${String(Math.round(ms / 1000))} s`;
    if (probe.state === 'streaming') {
      if (silentMs > stallMs + ACT_GRACE_MS) return { ...base, verdict: 'wedged', detail: `streaming without a frame for ${seconds(silentMs)}: the stall restart did not happen` };
      if (!probe.degraded && silentMs <= stallMs && now - progress.processedAt > this.#perceptionStallMs) {
        return { ...base, verdict: 'wedged', detail: `frames arrive but perception finished none for ${seconds(now - progress.processedAt)}` };
      }
      // Between the stall timeout and the restart it triggers: not ready, not yet a reason to restart the gateway.
      if (silentMs > stallMs) return { ...base, verdict: 'degraded', detail: `no frame for ${seconds(silentMs)}` };
      return { ...base, verdict: 'ok' };
    }
    if (probe.state === 'stopped') return { ...base, verdict: 'degraded', detail: 'stopped' };
    // Connecting or failed: one attempt runs at most until the startup stall timeout, then waits at most the backoff.
    const retryBoundMs = Math.max(stallMs, STARTUP_TIMEOUT_MS) + probe.maxReconnectDelayMs + ACT_GRACE_MS;
    const idleMs = now - progress.supervisedAt;
    if (idleMs > retryBoundMs) return { ...base, verdict: 'wedged', detail: `${probe.state} and no reconnect attempt for ${seconds(idleMs)}` };
    return { ...base, verdict: 'degraded', detail: probe.state === 'connecting' ? 'connecting' : `${probe.state}: reconnecting` };
  }
}

/** One line for systemd's STATUS= and the log: what is wrong, worst first, or that all is well. */
export function summarize(report: HealthReport): string {
  const label = (check: HealthCheck): string => (check.camera === undefined ? check.name : `camera ${check.camera}`);
  const wedged = report.checks.filter((check) => check.verdict === 'wedged');
  const degraded = report.checks.filter((check) => check.verdict === 'degraded');
  if (wedged.length > 0) return `wedged: ${wedged.map((check) => `${label(check)} ${check.detail ?? ''}`.trim()).join('; ')}`;
  if (degraded.length > 0) return `degraded: ${degraded.map((check) => `${label(check)} ${check.detail ?? ''}`.trim()).join('; ')}`;
  const cameras = report.checks.filter((check) => check.camera !== undefined).length;
  return report.ready ? `ready: ${String(cameras)} camera${cameras === 1 ? '' : 's'} streaming` : 'starting';
}
