import type { VisionConfig } from '../config/vision.js';
import { isHuxiaoError, type ErrorCode } from '../errors.js';
import { moduleLogger } from '../log.js';
import { Detector } from './detector.js';
import { FaceDetector } from './face-detector.js';
import { FaceEmbedder } from './face-embedder.js';
import type { InferenceSample, QueueStats } from './inference-queue.js';
import { InferenceScheduler } from './inference-scheduler.js';
import { DEFAULT_MODELS_DIR, manifestFile, MODEL_ROLES, readManifest, type Manifest, type ModelEntry, type ModelPrecision, type ModelRole } from './manifest.js';
import type { ModelSession } from './model-session.js';
import type { Medians, PrecisionReason, PrecisionSetting } from './precision-choice.js';
import type { MeasureOptions } from './precision-measure.js';
import { PrecisionSelector } from './precision-select.js';

export interface VisionRuntimeOptions {
  readonly config: VisionConfig;
  /** The roles to load (see rolesNeeded()); a face model costs memory and start-up time, so only what rules use. */
  readonly roles: readonly ModelRole[];
  /**
   * Where `auto` precision keeps its measured choice (precision.json): the gateway passes storage.dir. Without it auto
   * takes the manifest's default unmeasured, so replayed results do not depend on the machine.
   */
  readonly stateDir?: string;
  /** Time budget of the auto measurement (tests shorten it). */
  readonly measure?: MeasureOptions;
  /**
   * Share the models' time among cameras within `config.budget` (the gateway). Without it the scheduler admits every
   * run the rules ask for: a replay's results must not depend on how fast the machine is.
   */
  readonly budgeted?: boolean;
}

export interface ModelHealth {
  readonly role: ModelRole;
  readonly state: 'ready' | 'failed';
  /** The manifest entry's name, when the manifest named one. */
  readonly model?: string;
  readonly precision?: ModelPrecision;
  /** Why this precision: named in the config, the only usable build, or measured on this machine (now or earlier). */
  readonly precisionReason?: PrecisionReason;
  /** Median run times of both builds when auto measured them (at this start or the one that wrote the cache). */
  readonly medianMs?: Medians;
  readonly error?: { readonly code: ErrorCode | 'UNEXPECTED'; readonly message: string };
}

/** A completed run of a loaded model, for the latency histograms. */
export interface InferenceEvent extends InferenceSample {
  readonly model: string;
}

/**
 * Owns the model sessions: one per needed role, shared by every camera. `start()` never throws for a model problem: a
 * missing, tampered or unloadable model is logged and reported by `health()` as failed (its accessor returns undefined),
 * so the controller marks the pipelines that need it degraded and everything else keeps running.
 */
export class VisionRuntime {
  readonly #options: VisionRuntimeOptions;
  readonly #sessions = new Map<ModelRole, ModelSession>();
  readonly #health = new Map<ModelRole, ModelHealth>();
  readonly #inferenceListeners = new Set<(event: InferenceEvent) => void>();
  #detector: Detector | undefined;
  #faceDetector: FaceDetector | undefined;
  #faceEmbedder: FaceEmbedder | undefined;
  readonly #log = moduleLogger('vision');
  /** The one scheduler every camera's model runs are asked of; it learns each model's cost from the runs here. */
  readonly scheduler: InferenceScheduler;

  constructor(options: VisionRuntimeOptions) {
    this.#options = options;
    this.scheduler = new InferenceScheduler(options.budgeted === true ? { budgetMsPerSecond: options.config.budget * 1000 } : {});
  }

  get detector(): Detector | undefined {
    return this.#detector;
  }

  get faceDetector(): FaceDetector | undefined {
    return this.#faceDetector;
  }

  get faceEmbedder(): FaceEmbedder | undefined {
    return this.#faceEmbedder;
  }

  /** An abort of `signal` is seen between two models and after the last; the models loaded by then stay until stop(). */
  async start(signal?: AbortSignal): Promise<void> {
    const { config } = this.#options;
    const modelsDir = config.modelsDir ?? DEFAULT_MODELS_DIR;
    const manifestPath = manifestFile(config.modelsDir);
    let manifest: Manifest;
    try {
      manifest = await readManifest(manifestPath);
    } catch (error) {
      for (const role of this.#roles()) this.#fail(role, error, undefined);
      return;
    }
    const precisions: Record<ModelRole, PrecisionSetting> = {
      detector: config.precision.detector,
      'face-detector': config.precision.faceDetector,
      'face-embedder': config.precision.faceEmbedder,
    };
    const { stateDir, measure } = this.#options;
    const selector = new PrecisionSelector({
      manifest,
      manifestPath,
      modelsDir,
      threads: config.threads,
      queueSize: config.queueSize,
      fitInputs: config.detector.input === 'fit' ? ['detector'] : [],
      ...(stateDir === undefined ? {} : { stateDir }),
      ...(measure === undefined ? {} : { measure }),
      observe: (model, sample) => { this.#observed(model, sample); },
    });
    // One model at a time: loading (and timing both builds) is CPU-bound and the cameras are already starting beside it.
    for (const role of this.#roles()) {
      signal?.throwIfAborted();
      const outcome = await selector.open(role, precisions[role]);
      if (outcome.state === 'failed') {
        this.#fail(role, outcome.error, outcome.entry);
        continue;
      }
      const { session, reason, medianMs } = outcome;
      try {
        this.#attach(role, session);
        this.#sessions.set(role, session);
        this.#health.set(role, { role, state: 'ready', model: session.entry.name, precision: session.entry.precision, precisionReason: reason, ...(medianMs === undefined ? {} : { medianMs }) });
      } catch (error) {
        await session.stop();
        this.#fail(role, error, session.entry);
      }
    }
    // A signal that came while the last model loaded belongs to this phase too: the cameras must not start after it.
    signal?.throwIfAborted();
  }

  async stop(): Promise<void> {
    this.#detector = undefined;
    this.#faceDetector = undefined;
    this.#faceEmbedder = undefined;
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(sessions.map((session) => session.stop()));
  }

  /** One entry per needed role, in the manifest's role order. */
  health(): ModelHealth[] {
    return this.#roles().map((role) => this.#health.get(role) ?? { role, state: 'failed', error: { code: 'MODEL_LOAD', message: 'not started' } });
  }

  /** Queue and latency figures per loaded model, keyed by model name, for telemetry. */
  stats(): Record<string, QueueStats> {
    const out: Record<string, QueueStats> = {};
    for (const session of this.#sessions.values()) {
      const stats = session.stats();
      if (stats !== undefined) out[session.entry.name] = stats;
    }
    return out;
  }

  #roles(): ModelRole[] {
    return MODEL_ROLES.filter((role) => this.#options.roles.includes(role));
  }

  /** Subscribes to every completed run of every model; returns the unsubscribe function. */
  onInference(listener: (event: InferenceEvent) => void): () => void {
    this.#inferenceListeners.add(listener);
    return () => this.#inferenceListeners.delete(listener);
  }

  #observed(model: string, sample: InferenceSample): void {
    for (const [role, session] of this.#sessions) if (session.entry.name === model) this.scheduler.observe(role, sample.runMs);
    for (const listener of this.#inferenceListeners) {
      try {
        listener({ model, ...sample });
      } catch (error) {
        this.#log.error({ err: error, model }, 'an inference listener threw');
      }
    }
  }

  #attach(role: ModelRole, session: ModelSession): void {
    switch (role) {
      case 'detector': {
        const detector = new Detector({ session, config: this.#options.config.detector });
        detector.start();
        this.#detector = detector;
        return;
      }
      case 'face-detector':
        this.#faceDetector = new FaceDetector({ session, config: this.#options.config.faceDetector });
        return;
      case 'face-embedder':
        this.#faceEmbedder = new FaceEmbedder({ session });
        return;
    }
  }

  #fail(role: ModelRole, error: unknown, entry: ModelEntry | undefined): void {
    const code = isHuxiaoError(error) ? error.code : 'UNEXPECTED';
    const message = error instanceof Error ? error.message : String(error);
    this.#health.set(role, { role, state: 'failed', model: entry?.name, precision: entry?.precision, error: { code, message } });
    this.#log.error({ role, code, err: error }, 'model unavailable; pipelines that need it run degraded');
  }
}
