import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { RULE_TYPES } from '../config/rule-vocabulary.js';
import type { CameraWorkerStatus } from '../camera-worker.js';
import type { CameraState } from '../ingest/camera-status.js';
import { LANES, type Lane } from '../store/outbox.js';
import { VERSION } from '../version.js';
import type { Health } from './health.js';
import type { RuntimeView } from './runtime-view.js';

export interface MetricsContext {
  readonly runtime: RuntimeView;
  readonly health: Health;
}

/** Every camera state, so the state gauge has a series per state (0 or 1); the compiler keeps the list complete. */
const CAMERA_STATES: Readonly<Record<CameraState, true>> = {
  stopped: true, connecting: true, streaming: true, stalled: true, ended: true,
  unauthorized: true, 'not-found': true, refused: true, timeout: true, unreachable: true, 'unsupported-codec': true, error: true,
};
const LANE_NAMES: Readonly<Record<Lane, string>> = { [LANES.emergency]: 'emergency', [LANES.normal]: 'normal' };
/** From a 5 ms face model run to a detector run on an overloaded two-core box. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5];

/**
 * The Prometheus figures of one runtime, in a registry of its own (not prom-client's global one, so tests can build
 * many). Status figures are read from the components when Prometheus scrapes, so the frame path pays nothing; only
 * inference runs, alert events and voice plays are counted as they happen. Labels are camera ids, model names, rule
 * and alert types, lanes and outcomes: bounded sets from the config and the code, never a person, a name or an id of
 * an alert.
 */
export class RuntimeMetrics {
  readonly registry = new Registry();
  readonly #context: MetricsContext;
  readonly #unsubscribe: (() => void)[] = [];

  constructor(context: MetricsContext) {
    this.#context = context;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  start(): void {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({ name: 'huxiao_build_info', help: 'Huxiao Edge version running, always 1.', labelNames: ['version'], registers: [this.registry] }).set({ version: VERSION }, 1);
    this.#cameras();
    this.#inference();
    this.#alerts();
    this.#store();
    this.#voice();
    this.#health();
  }

  stop(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.registry.clear();
  }

  /** The exposition text Prometheus scrapes. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  #cameras(): void {
    const statuses = (): CameraWorkerStatus[] => this.#context.runtime.cameras().map((worker) => worker.status());
    const total = (name: string, help: string, value: (status: CameraWorkerStatus) => number): void => {
      new Counter({
        name, help, labelNames: ['camera'], registers: [this.registry],
        collect() {
          this.reset();
          for (const status of statuses()) this.inc({ camera: status.camera }, value(status));
        },
      });
    };
    total('huxiao_camera_frames_received_total', 'Frames ffmpeg delivered since the camera (re)started.', (status) => status.frames);
    total('huxiao_camera_frames_processed_total', 'Frames that went through perception (motion gate, detector, tracker, rules).', (status) => status.processed);
    total('huxiao_camera_reconnects_total', 'ffmpeg restarts after the first start.', (status) => status.reconnects);
    total('huxiao_camera_detector_runs_total', 'Frames the detector ran on; its rate is the detect rate.', (status) => status.detectorRuns);
    total('huxiao_camera_detections_total', 'Objects the detector found.', (status) => status.detections);
    new Counter({
      name: 'huxiao_camera_frames_dropped_total',
      help: 'Frames not processed: reason "pool" when every frame buffer was held, "superseded" when a newer frame replaced it while perception was busy.',
      labelNames: ['camera', 'reason'], registers: [this.registry],
      collect() {
        this.reset();
        for (const status of statuses()) {
          this.inc({ camera: status.camera, reason: 'pool' }, status.drops);
          this.inc({ camera: status.camera, reason: 'superseded' }, status.superseded);
        }
      },
    });
    new Gauge({
      name: 'huxiao_camera_fps', help: 'Frames per second delivered, over the last few seconds.', labelNames: ['camera'], registers: [this.registry],
      collect() {
        this.reset();
        for (const status of statuses()) this.set({ camera: status.camera }, status.fps);
      },
    });
    const gauge = (name: string, help: string, value: (status: CameraWorkerStatus) => number | undefined): void => {
      new Gauge({
        name, help, labelNames: ['camera'], registers: [this.registry],
        collect() {
          this.reset();
          for (const status of statuses()) {
            const v = value(status);
            if (v !== undefined) this.set({ camera: status.camera }, v);
          }
        },
      });
    };
    gauge('huxiao_camera_detect_hz', 'Detector runs per second the scheduler admitted, over the last few seconds.', (status) => status.share?.ranHz);
    gauge('huxiao_camera_detect_wanted_hz', 'Detector runs per second the camera\'s rules ask for now.', (status) => status.share?.wantHz);
    gauge('huxiao_camera_detect_below_need', '1 while the camera\'s share of the inference budget is below what its rules ask for.', (status) => (status.share === undefined ? undefined : Number(status.share.limited)));
    new Counter({
      name: 'huxiao_camera_detect_decisions_total',
      help: 'Frames by why the detector ran on them or not: zone-activity, motion, redetect, stationary, idle, first, lighting, disabled, budget.',
      labelNames: ['camera', 'reason'], registers: [this.registry],
      collect() {
        this.reset();
        for (const status of statuses()) for (const [reason, count] of Object.entries(status.detectReasons)) this.inc({ camera: status.camera, reason }, count);
      },
    });
    new Gauge({
      name: 'huxiao_camera_state', help: 'What the camera is doing: 1 for its current state, 0 for the others.', labelNames: ['camera', 'state'], registers: [this.registry],
      collect() {
        this.reset();
        for (const status of statuses()) {
          for (const state of Object.keys(CAMERA_STATES)) this.set({ camera: status.camera, state }, state === status.state ? 1 : 0);
        }
      },
    });
  }

  #inference(): void {
    const { vision } = this.#context.runtime;
    const registers = [this.registry];
    const run = new Histogram({ name: 'huxiao_inference_run_seconds', help: 'Time of one model run, the model alone.', labelNames: ['model'], buckets: LATENCY_BUCKETS, registers });
    const latency = new Histogram({ name: 'huxiao_inference_latency_seconds', help: 'Time from submitting a frame to the model to its result, the queue wait included.', labelNames: ['model'], buckets: LATENCY_BUCKETS, registers });
    this.#unsubscribe.push(vision.onInference((event) => {
      run.observe({ model: event.model }, event.runMs / 1000);
      latency.observe({ model: event.model }, event.totalMs / 1000);
    }));
    new Counter({
      name: 'huxiao_inference_runs_total', help: 'Model runs by outcome (completed, failed).', labelNames: ['model', 'outcome'], registers,
      collect() {
        this.reset();
        for (const [model, stats] of Object.entries(vision.stats())) {
          this.inc({ model, outcome: 'completed' }, stats.completed);
          this.inc({ model, outcome: 'failed' }, stats.failed);
        }
      },
    });
    new Counter({
      name: 'huxiao_inference_dropped_total', help: 'Requests dropped unrun from a full model queue (latest frame wins), by camera.', labelNames: ['model', 'camera'], registers,
      collect() {
        this.reset();
        for (const [model, stats] of Object.entries(vision.stats())) {
          for (const [camera, dropped] of Object.entries(stats.dropped)) this.inc({ model, camera }, dropped);
        }
      },
    });
    new Gauge({
      name: 'huxiao_inference_queue_pending', help: 'Requests waiting for the model, over all cameras.', labelNames: ['model'], registers,
      collect() {
        this.reset();
        for (const [model, stats] of Object.entries(vision.stats())) this.set({ model }, stats.pending);
      },
    });
    new Gauge({
      name: 'huxiao_model_loaded', help: 'Whether the model of a role is loaded (0: it failed, the pipelines that need it run degraded).', labelNames: ['role', 'model'], registers,
      collect() {
        this.reset();
        for (const health of vision.health()) this.set({ role: health.role, model: health.model ?? 'none' }, health.state === 'ready' ? 1 : 0);
      },
    });
  }

  #alerts(): void {
    const registers = [this.registry];
    const hits = new Counter({ name: 'huxiao_rule_hits_total', help: 'Rule hits committed, new alerts and repeats merged into an open one.', labelNames: ['type'], registers });
    const raised = new Counter({ name: 'huxiao_alerts_total', help: 'Alerts raised, by type (a rule type, or emergency for the button).', labelNames: ['type'], registers });
    const changes = new Counter({ name: 'huxiao_alert_changes_total', help: 'Alert lifecycle changes after raising: cleared, acknowledged, resolved, expired.', labelNames: ['type', 'event'], registers });
    for (const type of RULE_TYPES) {
      hits.inc({ type }, 0);
      raised.inc({ type }, 0);
    }
    raised.inc({ type: 'emergency' }, 0);
    this.#unsubscribe.push(this.#context.runtime.alerts.onEvent(({ kind, alert }) => {
      switch (kind) {
        case 'raised':
          raised.inc({ type: alert.type });
          if (alert.type !== 'emergency') hits.inc({ type: alert.type });
          return;
        case 'updated':
          if (alert.type !== 'emergency') hits.inc({ type: alert.type });
          return;
        case 'cleared':
        case 'acknowledged':
        case 'resolved':
        case 'expired':
          changes.inc({ type: alert.type, event: kind });
          return;
      }
    }));
  }

  #store(): void {
    const { store, retention } = this.#context.runtime;
    const registers = [this.registry];
    new Gauge({
      name: 'huxiao_outbox_depth', help: 'Outbox entries (alerts, state changes, snapshots) the centre has not acknowledged, by lane.', labelNames: ['lane'], registers,
      collect() {
        const { depth, emergencyDepth } = store.outbox.depth();
        this.set({ lane: LANE_NAMES[LANES.emergency] }, emergencyDepth);
        this.set({ lane: LANE_NAMES[LANES.normal] }, depth - emergencyDepth);
      },
    });
    new Gauge({
      name: 'huxiao_outbox_oldest_age_seconds', help: 'Age of the oldest undelivered outbox entry, by lane; 0 when the lane is drained.', labelNames: ['lane'], registers,
      collect() {
        const now = store.clock();
        for (const lane of [LANES.emergency, LANES.normal]) {
          const oldest = store.outbox.oldestPendingAt(lane);
          this.set({ lane: LANE_NAMES[lane] }, oldest === undefined ? 0 : Math.max(0, now - oldest) / 1000);
        }
      },
    });
    new Gauge({
      name: 'huxiao_store_bytes', help: 'Disk the store takes: the SQLite files (database + WAL) and the snapshot pictures.', labelNames: ['part'], registers,
      collect() {
        this.set({ part: 'database' }, store.fileBytes());
        this.set({ part: 'snapshots' }, store.snapshots.totalBytes());
      },
    });
    new Gauge({ name: 'huxiao_store_quota_bytes', help: 'storage.quotaMb in bytes.', registers, collect() { this.set(retention.quotaBytes); } });
    new Gauge({ name: 'huxiao_store_full', help: '1 when the last write failed for lack of space or the quota cannot be met.', registers, collect() { this.set(retention.usage().full ? 1 : 0); } });
    new Counter({
      name: 'huxiao_store_undelivered_dropped_total', help: 'Alerts deleted before the centre received them, because the quota left nothing else to evict.', registers,
      collect() {
        this.reset();
        this.inc(retention.undeliveredDropped);
      },
    });
  }

  #voice(): void {
    const plays = new Counter({ name: 'huxiao_voice_plays_total', help: 'Voice warnings by priority and outcome (completed, preempted, cancelled, failed, dropped from a full queue).', labelNames: ['priority', 'outcome'], registers: [this.registry] });
    this.#unsubscribe.push(this.#context.runtime.actions.onPlayback((event) => {
      if (event.kind === 'end') plays.inc({ priority: event.request.priority, outcome: event.outcome });
      else if (event.kind === 'dropped') plays.inc({ priority: event.request.priority, outcome: 'dropped' });
    }));
  }

  #health(): void {
    const health = this.#context.health;
    new Gauge({
      name: 'huxiao_health', help: 'The /healthz verdicts: probe "live" (nothing wedged, the watchdog is fed), probe "ready" (everything working).', labelNames: ['probe'], registers: [this.registry],
      collect() {
        const report = health.evaluate();
        this.set({ probe: 'live' }, report.live ? 1 : 0);
        this.set({ probe: 'ready' }, report.ready ? 1 : 0);
      },
    });
  }
}
