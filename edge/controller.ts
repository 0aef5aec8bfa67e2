import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AlertService } from './alerts/alert-service.js';
import type { AlertEvent } from './alerts/alert.js';
import { CameraWorker } from './camera-worker.js';
import { WallClock, type Clock } from './clock/clock.js';
import type { Config } from './config/schema.js';
import type { CameraStatus } from './ingest/camera-status.js';
import { moduleLogger } from './log.js';
import type { PerceptionResult } from './perception.js';
import { Retention } from './store/retention.js';
import { Store } from './store/store.js';
import { VisionRuntime } from './vision/runtime.js';

export interface ControllerContext {
  readonly config: Config;
  /** Frame clock of the live cameras; tests pin it. */
  readonly clock?: Clock;
  /** Observers of every processed frame (the demo counts detections). */
  readonly onResult?: (result: PerceptionResult) => void;
}

export interface StopReport {
  /** Phases that failed, by name; empty when the shutdown was clean. */
  readonly failed: readonly string[];
}

const log = moduleLogger('controller');

/**
 * Builds, starts and stops everything, in one place. Start order is store -> alerts -> models -> cameras, so nothing
 * can produce an alert before the store can keep it. Only the store is fatal at start-up: a model that fails to load
 * leaves its cameras degraded, a camera that fails retries on its own.
 */
export class Controller {
  readonly #context: ControllerContext;
  readonly #clock: Clock;
  #store: Store | undefined;
  #retention: Retention | undefined;
  #alerts: AlertService | undefined;
  #vision: VisionRuntime | undefined;
  readonly #workers = new Map<string, CameraWorker>();

  constructor(context: ControllerContext) {
    this.#context = context;
    this.#clock = context.clock ?? new WallClock();
  }

  get alerts(): AlertService {
    if (this.#alerts === undefined) throw new Error('Controller.alerts used before start()');
    return this.#alerts;
  }

  get store(): Store {
    if (this.#store === undefined) throw new Error('Controller.store used before start()');
    return this.#store;
  }

  async start(): Promise<void> {
    const { config } = this.#context;
    const snapshotsDir = join(config.storage.dir, 'snapshots');
    mkdirSync(snapshotsDir, { recursive: true });

    const store = new Store({ path: join(config.storage.dir, 'huxiao.db') });
    store.start();
    this.#store = store;
    this.#retention = new Retention({ store, snapshotsDir, config: config.storage });
    this.#retention.start();
    const cooldowns = new Map(config.rules.map((rule) => [rule.id, rule.cooldownSeconds]));
    this.#alerts = new AlertService({
      store,
      gatewayId: config.gateway.id,
      config: config.alerts,
      snapshotsDir,
      retention: this.#retention,
      cooldownSeconds: (rule) => cooldowns.get(rule),
    });
    this.#alerts.start();

    this.#vision = new VisionRuntime({ config: config.vision });
    await this.#vision.start();
    const detector = this.#vision.detector;

    for (const camera of config.cameras) {
      if (!camera.enabled) continue;
      const worker = new CameraWorker({
        camera,
        rules: config.rules,
        detector,
        timezone: config.gateway.timezone,
        clock: this.#clock,
        onResult: (result) => { this.#onResult(result); },
      });
      worker.start();
      this.#workers.set(camera.id, worker);
    }
    log.info({ gateway: config.gateway.id, cameras: this.#workers.size, detector: detector !== undefined }, 'gateway started');
  }

  /** Shutdown in named phases: stop intake and drain the cameras, finish snapshots, stop models, close the store. */
  async stop(): Promise<StopReport> {
    const failed: string[] = [];
    const phase = async (name: string, run: () => Promise<void> | void): Promise<void> => {
      try {
        await run();
      } catch (error) {
        failed.push(name);
        log.error({ err: error, phase: name }, 'shutdown phase failed');
      }
    };
    await phase('cameras', async () => { await Promise.all([...this.#workers.values()].map((w) => w.stop())); });
    this.#workers.clear();
    await phase('alerts', async () => { await this.#alerts?.stop(); });
    await phase('vision', async () => { await this.#vision?.stop(); });
    await phase('store', () => {
      this.#retention?.stop();
      this.#store?.stop();
    });
    log.info({ failed }, 'gateway stopped');
    return { failed };
  }

  onAlertEvent(listener: (event: AlertEvent) => void): () => void {
    return this.alerts.onEvent(listener);
  }

  onCameraState(camera: string, listener: (status: CameraStatus) => void): () => void {
    const worker = this.#workers.get(camera);
    if (worker === undefined) throw new Error(`no running camera "${camera}"`);
    return worker.onState(listener);
  }

  cameras(): CameraWorker[] {
    return [...this.#workers.values()];
  }

  #onResult(result: PerceptionResult): void {
    this.#context.onResult?.(result);
    const alerts = this.#alerts;
    if (alerts === undefined) return;
    for (const event of result.events) {
      try {
        if (event.kind === 'hit') alerts.raise(event);
        else alerts.clear(event);
      } catch (error) {
        log.error({ err: error, rule: event.rule, camera: event.camera }, 'alert could not be committed');
      }
    }
  }
}
