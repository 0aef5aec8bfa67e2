import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Actions } from './actions/actions.js';
import { speakerTestCommand } from './actions/speaker-test-command.js';
import type { ButtonPress } from './actions/emergency-button.js';
import { alertToActions } from './alert-actions.js';
import { AlertService } from './alerts/alert-service.js';
import type { AlertEvent } from './alerts/alert.js';
import { CameraWorker, type CameraWorkerContext } from './camera-worker.js';
import { WallClock, type Clock } from './clock/clock.js';
import { loadConfig } from './config/load.js';
import { identityCameras } from './config/rules.js';
import type { Config } from './config/schema.js';
import { HuxiaoError } from './errors.js';
import type { IdentityMatcher, PersonDirectory } from './identity/matcher.js';
import { FaceBudget } from './identity/track-identifier.js';
import { encodeJpeg } from './ingest/snapshot.js';
import { moduleLogger } from './log.js';
import type { PerceptionResult } from './perception.js';
import { Retention } from './store/retention.js';
import { Store } from './store/store.js';
import { telemetryProvider } from './telemetry.js';
import { Uplink } from './uplink/uplink.js';
import { VisionRuntime } from './vision/runtime.js';

export interface ControllerContext {
  readonly config: Config;
  /** The file the config came from; cmd/config.reload reads it again. */
  readonly configPath?: string;
  /** Frame clock of the live cameras; tests pin it. */
  readonly clock?: Clock;
  /** Observers of every processed frame (the demo counts detections). */
  readonly onResult?: (result: PerceptionResult) => void;
  /** aplay binary, for a null sound sink in tests. */
  readonly aplay?: string;
  /** The gallery, as identification and the alerts use it; without it identity rules never fire. */
  readonly identity?: { readonly matcher: IdentityMatcher; readonly directory: PersonDirectory };
}

export interface StopReport {
  /** Phases that failed, by name; empty when the shutdown was clean. */
  readonly failed: readonly string[];
}

interface Core {
  readonly store: Store;
  readonly retention: Retention;
  readonly alerts: AlertService;
  readonly actions: Actions;
  readonly vision: VisionRuntime;
  readonly uplink: Uplink | undefined;
}

const log = moduleLogger('controller');

type CameraWorkerIdentity = NonNullable<CameraWorkerContext['identity']>;

/**
 * Face jobs in flight over all cameras. One: on the 2-core reference box each face job (find + embed, ~25-40 ms)
 * already shares the CPU with the detector, and a second in parallel would only lengthen the detector's runs.
 */
const FACE_JOBS_IN_FLIGHT = 1;

/**
 * Builds, starts and stops everything, in one place. Start order: store -> alerts -> on-site actions -> uplink ->
 * models -> cameras, so nothing can raise an alert before the store can keep it and the speaker can say it. Only the
 * store is fatal at start-up: a model that fails to load leaves its cameras degraded, missing audio or GPIO is warned
 * about, an absent broker leaves alerts in the outbox, and a camera that fails retries on its own.
 */
export class Controller {
  readonly #context: ControllerContext;
  readonly #clock: Clock;
  #config: Config;
  #core: Core | undefined;
  readonly #workers = new Map<string, CameraWorker>();
  readonly #unsubscribe: (() => void)[] = [];
  readonly #faceBudget = new FaceBudget(FACE_JOBS_IN_FLIGHT);

  constructor(context: ControllerContext) {
    this.#context = context;
    this.#config = context.config;
    this.#clock = context.clock ?? new WallClock();
  }

  get alerts(): AlertService {
    return this.#require().alerts;
  }

  get store(): Store {
    return this.#require().store;
  }

  get actions(): Actions {
    return this.#require().actions;
  }

  get uplink(): Uplink | undefined {
    return this.#require().uplink;
  }

  async start(): Promise<void> {
    const config = this.#config;
    const snapshotsDir = join(config.storage.dir, 'snapshots');
    mkdirSync(snapshotsDir, { recursive: true });

    const store = new Store({ path: join(config.storage.dir, 'huxiao.db') });
    store.start();
    const retention = new Retention({ store, snapshotsDir, config: config.storage });
    retention.start();
    const cooldowns = new Map(config.rules.map((rule) => [rule.id, rule.cooldownSeconds]));
    const directory = this.#context.identity?.directory;
    const alerts = new AlertService({
      store,
      gatewayId: config.gateway.id,
      config: config.alerts,
      snapshotsDir,
      retention,
      cooldownSeconds: (rule) => cooldowns.get(rule),
      ...(directory === undefined ? {} : { directory }),
    });
    alerts.start();

    const actions = new Actions({ audio: config.audio, actions: config.actions, gpio: config.gpio, ...(this.#context.aplay === undefined ? {} : { aplay: this.#context.aplay }) });
    try {
      await actions.start();
    } catch (error) {
      log.error({ err: error }, 'on-site actions failed to start: no voice warnings or GPIO; alerts still flow');
    }
    const toActions = alertToActions(config, directory);
    this.#unsubscribe.push(alerts.onEvent((event) => { actions.handle(toActions(event)); }));
    this.#unsubscribe.push(actions.onPress((press) => { this.#emergency(press); }));

    const vision = new VisionRuntime({ config: config.vision });
    const uplink = config.mqtt === undefined ? undefined : new Uplink({
      store,
      gatewayId: config.gateway.id,
      config: config.mqtt,
      snapshotsDir,
      alerts,
      telemetry: telemetryProvider({ cameras: () => [...this.#workers.values()], vision, retention }),
      snapshot: (camera) => this.#cameraJpeg(camera),
      ...(this.#context.configPath === undefined ? {} : { reloadConfig: () => this.reload() }),
    });
    if (uplink === undefined) log.warn('no mqtt section: alerts are kept in the local store only');
    else {
      uplink.registerCommand('speaker.test', speakerTestCommand(actions));
      uplink.start();
    }
    this.#core = { store, retention, alerts, actions, vision, uplink };

    await vision.start();
    this.#startCameras(config);
    log.info({ gateway: config.gateway.id, cameras: this.#workers.size, detector: vision.detector !== undefined, uplink: uplink !== undefined }, 'gateway started');
  }

  /**
   * Shutdown in named phases, upstream first: stop intake (cameras), finish snapshots, stop the speaker and GPIO,
   * publish offline and close MQTT, stop the models, close the store. A failed phase is reported, the next still runs.
   */
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
    const core = this.#core;
    await phase('cameras', () => this.#stopCameras());
    await phase('alerts', async () => { await core?.alerts.stop(); });
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    await phase('actions', async () => { await core?.actions.stop(); });
    await phase('uplink', async () => { await core?.uplink?.stop(); });
    await phase('vision', async () => { await core?.vision.stop(); });
    await phase('store', () => {
      core?.retention.stop();
      core?.store.stop();
    });
    this.#core = undefined;
    log.info({ failed }, 'gateway stopped');
    return { failed };
  }

  /**
   * cmd/config.reload: the file is validated first (a bad file changes nothing and the error goes back in the reply);
   * cameras, zones and rules are then applied by restarting the camera pipelines. Sections owned by components that
   * hold connections or files (storage, mqtt, audio, gpio, vision) need a restart of the service, and the reply says so.
   */
  async reload(): Promise<{ applied: string[]; restartRequired: string[] }> {
    const path = this.#context.configPath;
    if (path === undefined) throw new HuxiaoError('CONFIG_NOT_FOUND', 'this gateway was started without a config file to reload');
    const next = loadConfig(path);
    const changed = (key: keyof Config): boolean => JSON.stringify(next[key]) !== JSON.stringify(this.#config[key]);
    const restartRequired = (['gateway', 'storage', 'mqtt', 'audio', 'actions', 'gpio', 'vision', 'alerts'] as const).filter(changed);
    const applied = (['cameras', 'rules'] as const).filter(changed);
    if (applied.length > 0) {
      await this.#stopCameras();
      this.#config = { ...this.#config, cameras: next.cameras, rules: next.rules };
      this.#startCameras(this.#config);
    }
    log.info({ applied, restartRequired }, 'config reloaded');
    return { applied, restartRequired };
  }

  cameras(): CameraWorker[] {
    return [...this.#workers.values()];
  }

  onAlertEvent(listener: (event: AlertEvent) => void): () => void {
    return this.alerts.onEvent(listener);
  }

  #startCameras(config: Config): void {
    const { vision } = this.#require();
    const detector = vision.detector;
    const identity = this.#identity(config, vision);
    for (const camera of config.cameras) {
      if (!camera.enabled) continue;
      const worker = new CameraWorker({
        camera,
        rules: config.rules,
        detector,
        timezone: config.gateway.timezone,
        clock: this.#clock,
        ...(identity === undefined ? {} : { identity }),
        onResult: (result) => { this.#onResult(result); },
      });
      worker.start();
      this.#workers.set(camera.id, worker);
    }
  }

  /** What the cameras need to identify faces, or undefined (logged) when a camera's identity rules cannot run. */
  #identity(config: Config, vision: VisionRuntime): CameraWorkerIdentity | undefined {
    const cameras = identityCameras(config);
    if (cameras.length === 0) return undefined;
    const matcher = this.#context.identity?.matcher;
    const { faceDetector, faceEmbedder } = vision;
    if (matcher === undefined || faceDetector === undefined || faceEmbedder === undefined) {
      log.error({ cameras, gallery: matcher !== undefined, faceModels: faceDetector !== undefined && faceEmbedder !== undefined }, 'identity rules cannot run: no gallery or no face models; they never fire');
      return undefined;
    }
    return { models: { detector: faceDetector, embedder: faceEmbedder }, matcher, budget: this.#faceBudget };
  }

  async #stopCameras(): Promise<void> {
    const workers = [...this.#workers.values()];
    this.#workers.clear();
    await Promise.all(workers.map((worker) => worker.stop()));
  }

  #onResult(result: PerceptionResult): void {
    this.#context.onResult?.(result);
    const alerts = this.#core?.alerts;
    if (alerts === undefined) return;
    for (const event of result.events) {
      try {
        switch (event.kind) {
          case 'hit':
            alerts.raise(event);
            break;
          case 'clear':
            alerts.clear(event);
            break;
          case 'identified':
            alerts.identify(event);
            break;
        }
      } catch (error) {
        log.error({ err: error, rule: event.rule, camera: event.camera }, 'alert could not be committed');
      }
    }
  }

  #emergency(press: ButtonPress): void {
    const alerts = this.#core?.alerts;
    if (alerts === undefined) return;
    const snapshots = press.cameras.flatMap((camera) => {
      const image = this.#workers.get(camera)?.latestImage();
      return image === undefined ? [] : [{ camera, image }];
    });
    try {
      const alert = alerts.raiseEmergency({ source: 'emergency-button', cameras: press.cameras, snapshots });
      log.warn({ alert: alert.id, edgeToCommitMs: Date.now() - press.edgeAt }, 'emergency button: alert committed');
    } catch (error) {
      log.error({ err: error }, 'emergency alert could not be committed; the siren sounds regardless');
    }
  }

  async #cameraJpeg(camera: string): Promise<Buffer> {
    const image = this.#workers.get(camera)?.latestImage();
    if (image === undefined) throw new HuxiaoError('CAMERA_UNKNOWN', `camera "${camera}" is not running or has no picture yet`);
    return encodeJpeg(image);
  }

  #require(): Core {
    if (this.#core === undefined) throw new Error('the controller is not started');
    return this.#core;
  }
}
