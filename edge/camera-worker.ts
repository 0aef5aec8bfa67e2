import type { Clock } from './clock/clock.js';
import type { RuleConfig } from './config/rules.js';
import { CameraSource } from './ingest/camera-source.js';
import type { CameraStatus } from './ingest/camera-status.js';
import type { Camera } from './ingest/ffmpeg-args.js';
import type { IdentifierStats } from './identity/track-identifier.js';
import type { Frame, RgbImage } from './ingest/frame.js';
import { moduleLogger, type Logger } from './log.js';
import { Perception, type DetectReason, type PerceptionIdentity, type PerceptionResult } from './perception.js';
import type { ObjectDetector } from './vision/detection.js';
import type { CameraShare, InferenceScheduler } from './vision/inference-scheduler.js';

export interface CameraWorkerContext {
  readonly camera: Camera;
  readonly rules: readonly RuleConfig[];
  /** Undefined when the detector model failed to load: frames still flow (snapshots work), perception is degraded. */
  readonly detector: ObjectDetector | undefined;
  /** The box-wide scheduler the detector runs are asked of. */
  readonly scheduler: InferenceScheduler;
  readonly timezone: string;
  /** Face models, gallery matcher and the shared face budget; undefined when no identity can run (the camera's identity rules never fire). */
  readonly identity?: PerceptionIdentity;
  readonly clock: Clock;
  /** Every processed frame's result, in frame order; rule events go on to the alerts from here. */
  readonly onResult: (result: PerceptionResult) => void;
}

export interface CameraWorkerStatus extends CameraStatus {
  /** Frames that went through perception. */
  readonly processed: number;
  /** Frames replaced by a newer one while perception was busy (latest frame wins). */
  readonly superseded: number;
  readonly detectorRuns: number;
  readonly detections: number;
  /** True when the camera runs without a detector (model failed to load). */
  readonly degraded: boolean;
  /** Why the detector ran or not on the latest frame; undefined before the first. */
  readonly detectReason: DetectReason | undefined;
  /** Frames by that reason, since start. */
  readonly detectReasons: Readonly<Partial<Record<DetectReason, number>>>;
  /** The camera's standing with the scheduler; undefined while it has asked for nothing. */
  readonly share: CameraShare | undefined;
}

/**
 * Pooled buffers per camera: one being read by ffmpeg, one in perception, one waiting, one kept as the latest picture
 * for snapshots, and slack so a slow consumer drops frames in the worker (counted as superseded), not in the reader.
 */
const POOL_SIZE = 6;

/**
 * One live camera: its CameraSource and its Perception, joined by a one-slot mailbox. While perception works on a
 * frame, newer frames replace each other in the slot, so latency stays bounded when the CPU cannot keep up and a slow
 * camera never holds frames of another.
 */
export class CameraWorker {
  readonly #context: CameraWorkerContext;
  readonly #log: Logger;
  #rules: readonly RuleConfig[];
  #source: CameraSource | undefined;
  #perception: Perception | undefined;
  #pending: Frame | undefined;
  #latest: Frame | undefined;
  #busy: Promise<void> | undefined;
  #stopping = false;
  #processed = 0;
  #superseded = 0;
  #detectorRuns = 0;
  #detections = 0;
  #detectReason: DetectReason | undefined;
  readonly #detectReasons: Partial<Record<DetectReason, number>> = {};

  constructor(context: CameraWorkerContext) {
    this.#context = context;
    this.#rules = context.rules;
    this.#log = moduleLogger('camera-worker', { camera: context.camera.id });
  }

  get id(): string {
    return this.#context.camera.id;
  }

  /** The camera's config (the health check reads its stall and reconnect bounds). */
  get camera(): Camera {
    return this.#context.camera;
  }

  start(): void {
    const { camera, detector, scheduler, timezone, clock, identity } = this.#context;
    this.#stopping = false;
    if (detector === undefined) this.#log.warn('no detector: the camera streams but no rule is evaluated (degraded)');
    else {
      this.#perception = new Perception({ camera, rules: this.#rules, detector, scheduler, timezone, ...(identity === undefined ? {} : { identity }) });
      this.#perception.start();
    }
    this.#source = new CameraSource({ camera, clock, poolSize: POOL_SIZE, onFrame: (frame) => { this.#receive(frame); } });
    this.#source.start();
  }

  /** Stops intake, lets the frame in perception finish, drops the waiting one. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#source?.stop();
    this.#pending?.release();
    this.#pending = undefined;
    await this.#busy;
    this.#latest?.release();
    this.#latest = undefined;
    this.#perception?.stop();
    this.#perception = undefined;
    this.#context.scheduler.forget(this.id);
  }

  /** New rules from a config reload; the stream and the tracker keep running (see Perception.updateRules). */
  updateRules(rules: readonly RuleConfig[]): void {
    this.#rules = rules;
    this.#perception?.updateRules(rules);
  }

  onState(listener: (status: CameraStatus) => void): () => void {
    if (this.#source === undefined) throw new Error('CameraWorker.onState called before start()');
    return this.#source.onState(listener);
  }

  status(): CameraWorkerStatus {
    const source = this.#source?.status() ?? {
      camera: this.id, state: 'stopped', since: this.#context.clock.now(), detail: undefined, fps: 0, frames: 0, drops: 0, reconnects: 0, lastFrameAt: undefined,
    };
    return {
      ...source,
      processed: this.#processed,
      superseded: this.#superseded,
      detectorRuns: this.#detectorRuns,
      detections: this.#detections,
      degraded: this.#context.detector === undefined,
      detectReason: this.#detectReason,
      detectReasons: { ...this.#detectReasons },
      share: this.#context.scheduler.shares(this.#context.clock.now()).find((share) => share.camera === this.id),
    };
  }

  /** Face identification figures of this camera; undefined when it identifies no one. */
  identityStats(): IdentifierStats | undefined {
    return this.#perception?.identityStats();
  }

  /** An owned copy of the newest picture this camera delivered (for the snapshot command and the emergency button). */
  latestImage(): RgbImage | undefined {
    const frame = this.#pending ?? this.#latest;
    if (frame === undefined) return undefined;
    return { width: frame.width, height: frame.height, data: Buffer.from(frame.data) };
  }

  #receive(frame: Frame): void {
    if (this.#stopping) return;
    frame.retain();
    if (this.#pending !== undefined) {
      this.#pending.release();
      this.#superseded += 1;
    }
    this.#pending = frame;
    if (this.#busy === undefined) this.#busy = this.#drain();
  }

  async #drain(): Promise<void> {
    for (let frame = this.#take(); frame !== undefined; frame = this.#take()) {
      this.#latest?.release();
      this.#latest = frame;
      if (this.#perception === undefined) continue;
      try {
        const result = await this.#perception.process(frame);
        this.#processed += 1;
        if (result.detectorRan) this.#detectorRuns += 1;
        this.#detectReason = result.reason;
        this.#detectReasons[result.reason] = (this.#detectReasons[result.reason] ?? 0) + 1;
        this.#detections += result.detections.length;
        this.#context.onResult(result);
      } catch (error) {
        this.#log.error({ err: error, seq: frame.seq }, 'perception failed on a frame; continuing with the next');
      }
    }
    this.#busy = undefined;
  }

  #take(): Frame | undefined {
    const frame = this.#pending;
    this.#pending = undefined;
    return frame;
  }
}
