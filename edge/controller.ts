import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Actions } from './actions/actions.js';
import { namedSentences } from './actions/named-sentences.js';
import { PersonVoice } from './actions/person-voice.js';
import { speakerTestCommand } from './actions/speaker-test-command.js';
import type { ButtonPress } from './actions/emergency-button.js';
import type { GpiodOptions } from './actions/gpio-chardev.js';
import type { ActionEvent } from './actions/warnings.js';
import { alertToActions } from './alert-actions.js';
import { AlertService } from './alerts/alert-service.js';
import type { AlertEvent } from './store/alert.js';
import { CameraWorker } from './camera-worker.js';
import { WallClock, type Clock } from './clock/clock.js';
import { cameraChanges, changedSections, type CameraChanges, type Section } from './config/diff.js';
import { readConfigFile } from './config/load.js';
import { needsIdentity } from './config/rules.js';
import type { Config } from './config/schema.js';
import { HuxiaoError } from './errors.js';
import { GalleryService } from './gallery/gallery-service.js';
import { GatewayIdentity } from './gateway-identity.js';
import { encodeJpeg } from './ingest/snapshot.js';
import { moduleLogger } from './log.js';
import { Operations } from './ops/operations.js';
import type { PersonDirectory } from './identity/matcher.js';
import type { PerceptionResult } from './perception.js';
import { Phases, type Phase, type StopReport } from './phases.js';
import { Retention } from './store/retention.js';
import { Store } from './store/store.js';
import { telemetryProvider } from './telemetry.js';
import { enrollCommands } from './uplink/enroll-commands.js';
import { Uplink } from './uplink/uplink.js';
import { checkLabels } from './vision/config-labels.js';
import { rolesNeeded } from './vision/roles.js';
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
  /** Where the gpiod fallback finds its tools and gpiochip devices, for stand-in tools at the GPIO boundary in tests. */
  readonly gpiod?: GpiodOptions;
}

export type { StopReport } from './phases.js';

export type StartResult =
  | { readonly state: 'running' }
  /** The signal aborted start-up; the phases already started were stopped again, as `stop` reports. */
  | { readonly state: 'aborted'; readonly stop: StopReport };

export interface ReloadReport {
  /** Sections that changed and now run with the new config. */
  readonly applied: readonly Section[];
  /** Sections that changed but keep their running config until the service restarts. */
  readonly restartRequired: readonly Section[];
  readonly cameras: CameraChanges;
}

interface Core {
  readonly snapshotsDir: string;
  readonly store: Store;
  readonly retention: Retention;
  readonly gallery: GalleryService;
  readonly alerts: AlertService;
  readonly actions: Actions;
  readonly vision: VisionRuntime;
  readonly uplink: Uplink | undefined;
  readonly operations: Operations;
  /** Only when a rule needs identities: what identification, the uplink's payloads and the voice use of the gallery. */
  readonly identity: GatewayIdentity | undefined;
}

/** Sections a reload applies; the others belong to components holding connections, files or models. */
const LIVE_SECTIONS: readonly Section[] = ['cameras', 'rules', 'actions'];

/** The running config with the lookups read from it on every alert; a reload swaps the whole of it at once. */
interface Live {
  readonly config: Config;
  readonly cooldowns: ReadonlyMap<string, number>;
  readonly toActions: (event: AlertEvent) => ActionEvent;
}

function live(config: Config, directory: PersonDirectory | undefined): Live {
  return { config, cooldowns: new Map(config.rules.map((rule) => [rule.id, rule.cooldownSeconds])), toActions: alertToActions(config, directory) };
}

const log = moduleLogger('controller');

/**
 * Builds, starts and stops everything, in one place. Start-up is a list of named phases (#startPhases), each with its
 * stop, undone in reverse when one fails or the start signal aborts; shutdown is the same list in reverse. The order
 * puts the fatal phases first: storage and the uplink's config (TLS files, signing key) are checked before anything
 * slow or with child processes starts. The rest degrades: a model that fails to load leaves its cameras without
 * detection, missing audio or GPIO is warned about, an absent broker leaves alerts in the outbox, and a camera that
 * fails retries on its own. docs/operations.md lists the phases.
 */
export class Controller {
  readonly #context: ControllerContext;
  readonly #clock: Clock;
  readonly #phases = new Phases();
  #state: 'idle' | 'starting' | 'running' | 'stopping' = 'idle';
  #live: Live;
  #core: Core | undefined;
  #reloads: Promise<unknown> = Promise.resolve();
  readonly #workers = new Map<string, CameraWorker>();
  readonly #unsubscribe: (() => void)[] = [];

  constructor(context: ControllerContext) {
    this.#context = context;
    this.#live = live(context.config, undefined);
    this.#clock = context.clock ?? new WallClock();
  }

  get state(): 'idle' | 'starting' | 'running' | 'stopping' {
    return this.#state;
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

  get vision(): VisionRuntime {
    return this.#require().vision;
  }

  get retention(): Retention {
    return this.#require().retention;
  }

  /** The gallery and enrollment (cmd/enroll, the local page). */
  get gallery(): GalleryService {
    return this.#require().gallery;
  }

  /** Health, /metrics, the web server and systemd's READY / WATCHDOG / STOPPING; undefined before start. */
  get operations(): Operations | undefined {
    return this.#core?.operations;
  }

  /** The config the gateway runs with now: the one it started with, plus the sections reloads applied. */
  get config(): Config {
    return this.#live.config;
  }

  /**
   * Runs the start-up phases. Resolves `running`, or `aborted` when `signal` aborted start-up (SIGTERM while models
   * load); rejects with the error of a fatal phase (STORE_CORRUPT, MQTT_TLS...) once the phases before it are stopped.
   */
  async start(signal: AbortSignal = new AbortController().signal): Promise<StartResult> {
    if (this.#state !== 'idle') throw new Error(`the controller is ${this.#state}`);
    this.#state = 'starting';
    const core = this.#build(this.#live.config);
    this.#core = core;
    this.#live = live(this.#live.config, core.identity?.directory);
    const outcome = await this.#phases.start(this.#startPhases(core), signal);
    switch (outcome.kind) {
      case 'started':
        this.#state = 'running';
        log.info({ gateway: this.#live.config.gateway.id, cameras: this.#workers.size, detector: core.vision.detector !== undefined, uplink: core.uplink !== undefined }, 'gateway started');
        return { state: 'running' };
      case 'aborted':
        this.#stopped(outcome.undo);
        return { state: 'aborted', stop: outcome.undo };
      case 'failed':
        this.#stopped(outcome.undo);
        throw outcome.error;
    }
  }

  /**
   * Shutdown: the start-up phases in reverse, so intake stops first (cameras), then the models, the speaker and GPIO,
   * the alerts (snapshots under way are finished), the uplink (offline published, MQTT closed) and last the store.
   * A failed phase is reported, the next still runs. A reload under way finishes first. During start-up, abort the
   * start signal instead: start-up then stops what it started.
   */
  async stop(): Promise<StopReport> {
    if (this.#state === 'starting') throw new Error('the controller is starting: abort its start signal to stop it');
    this.#state = 'stopping';
    await this.#reloads;
    const report = await this.#phases.stop();
    this.#stopped(report);
    return report;
  }

  /**
   * SIGHUP and cmd/config.reload: the file is read and validated first, and a file that does not validate changes
   * nothing (the error, CONFIG_INVALID with the path and every problem, goes to the log and back to the caller).
   * Cameras, rules and actions are then applied where they changed: a camera whose own config changed (URL, password,
   * zones...) restarts, one whose rules alone changed keeps its stream and tracker and gets a new rule engine, the
   * others are not touched; the rule -> actions mapping, the cooldowns and the voice actions follow the new file.
   * Sections owned by components holding connections, files or models need a restart of the service; the report says
   * which. Reloads run one at a time.
   */
  reload(): Promise<ReloadReport> {
    const run = this.#reloads.then(() => this.#reload());
    this.#reloads = run.catch(() => undefined);
    return run;
  }

  cameras(): CameraWorker[] {
    return [...this.#workers.values()];
  }

  onAlertEvent(listener: (event: AlertEvent) => void): () => void {
    return this.alerts.onEvent(listener);
  }

  async #reload(): Promise<ReloadReport> {
    const path = this.#context.configPath;
    if (path === undefined) throw new HuxiaoError('CONFIG_NOT_FOUND', 'this gateway was started without a config file to reload');
    let next: Config;
    try {
      if (this.#state !== 'running') throw new Error(`config reload refused: the gateway is ${this.#state}; ask again once it runs`);
      const loaded = readConfigFile(path);
      await checkLabels(loaded);
      next = loaded.config;
    } catch (error) {
      log.warn({ err: error, path }, 'config reload refused; the running config is kept');
      throw error;
    }
    const running = this.#live.config;
    const changed = changedSections(running, next);
    const cameras = cameraChanges(running, next);
    const report: ReloadReport = {
      applied: changed.filter((section) => LIVE_SECTIONS.includes(section)),
      restartRequired: changed.filter((section) => !LIVE_SECTIONS.includes(section)),
      cameras,
    };
    this.#live = live({ ...running, cameras: next.cameras, rules: next.rules, actions: next.actions }, this.#core?.identity?.directory);
    if (needsIdentity(next) && this.#core?.identity === undefined) log.warn('rules now need identities: the gallery and the face models load at the next restart');
    const { config } = this.#live;
    if (report.applied.includes('actions')) await this.#require().actions.updateActions(next.actions);
    await Promise.all([...cameras.removed, ...cameras.changed].map((id) => this.#stopCamera(id)));
    for (const camera of config.cameras) if (cameras.changed.includes(camera.id) || cameras.added.includes(camera.id)) this.#startCamera(camera);
    for (const id of cameras.rulesChanged) this.#workers.get(id)?.updateRules(config.rules);
    log.info(report, 'config reloaded');
    return report;
  }

  /** Every component, constructed (nothing started yet). */
  #build(config: Config): Core {
    const snapshotsDir = join(config.storage.dir, 'snapshots');
    const store = new Store({ path: join(config.storage.dir, 'huxiao.db') });
    const retention = new Retention({ store, snapshotsDir, config: config.storage });
    const actions = new Actions({ audio: config.audio, actions: config.actions, gpio: config.gpio, ...(this.#context.aplay === undefined ? {} : { aplay: this.#context.aplay }), ...(this.#context.gpiod === undefined ? {} : { gpiod: this.#context.gpiod }) });
    const vision = new VisionRuntime({ config: config.vision, roles: rolesNeeded(config), stateDir: config.storage.dir, budgeted: true });
    const gallery = new GalleryService({
      store,
      identity: config.identity,
      vision: config.vision,
      // The sentences of the running config: a reload that changes the voice templates renders later enrollments' anew.
      voice: new PersonVoice({ audio: config.audio, sentences: (person) => namedSentences(this.#live.config, person) }),
      loadedModels: () => (vision.faceDetector === undefined || vision.faceEmbedder === undefined ? undefined : { detector: vision.faceDetector, embedder: vision.faceEmbedder }),
    });
    const identity = needsIdentity(config) ? new GatewayIdentity(config, gallery) : undefined;
    const alerts = new AlertService({ store, gatewayId: config.gateway.id, config: config.alerts, snapshotsDir, retention, cooldownSeconds: (rule) => this.#live.cooldowns.get(rule) });
    const uplink = config.mqtt === undefined ? undefined : new Uplink({
      store,
      gatewayId: config.gateway.id,
      config: config.mqtt,
      snapshotsDir,
      alerts,
      telemetry: telemetryProvider({ cameras: () => [...this.#workers.values()], vision, retention }),
      snapshot: (camera) => this.#cameraJpeg(camera),
      ...(this.#context.configPath === undefined ? {} : { reloadConfig: () => this.reload() }),
      ...(identity === undefined ? {} : { directory: identity.directory }),
    });
    const configPath = this.#context.configPath;
    const configFile = configPath === undefined ? {} : { configFile: { path: configPath, apply: () => this.reload() } };
    const operations = new Operations({ web: config.web, runtime: this, page: { gatewayId: config.gateway.id, storageDir: config.storage.dir, ...configFile } });
    return { snapshotsDir, store, retention, gallery, alerts, actions, vision, uplink, operations, identity };
  }

  /**
   * The start-up phases, in order; shutdown runs them backwards. Fatal: storage (STORE_CORRUPT, STORE_VERSION) and
   * the uplink's config (MQTT_TLS, a bad signing key). Everything after degrades instead of failing start-up.
   */
  #startPhases(core: Core): Phase[] {
    const { store, retention, gallery, alerts, actions, vision, uplink, operations } = core;
    return [
      {
        name: 'storage',
        start: () => {
          mkdirSync(core.snapshotsDir, { recursive: true });
          store.start();
          retention.start();
        },
        stop: () => {
          retention.stop();
          store.stop();
        },
      },
      {
        name: 'uplink',
        start: () => {
          if (uplink === undefined) {
            log.warn('no mqtt section: alerts are kept in the local store only');
            return;
          }
          uplink.registerCommand('speaker.test', speakerTestCommand(actions));
          const enroll = enrollCommands(() => gallery.enrollment());
          uplink.registerCommand('enroll', enroll.enroll);
          uplink.registerCommand('unenroll', enroll.unenroll);
          // Returns once the client exists: a broker that is down is retried while alerts wait in the outbox.
          uplink.start();
        },
        stop: () => uplink?.stop(),
      },
      // Not fatal: after the fatal phases; without its key the gallery stays unavailable (logged) and enrollment answers GALLERY_UNAVAILABLE.
      { name: 'gallery', start: () => { gallery.start(); }, stop: () => gallery.stop() },
      { name: 'alerts', start: () => { alerts.start(); }, stop: () => alerts.stop() },
      {
        name: 'actions',
        start: async (signal) => {
          this.#unsubscribe.push(alerts.onEvent((event) => { actions.handle(this.#live.toActions(event)); }));
          this.#unsubscribe.push(actions.onPress((press) => { this.#emergency(press); }));
          try {
            await actions.start(signal);
          } catch (error) {
            if (error === signal.reason) throw error;
            log.error({ err: error }, 'on-site actions failed to start: no voice warnings or GPIO; alerts still flow');
          }
        },
        stop: async () => {
          for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
          await actions.stop();
        },
      },
      { name: 'vision', start: (signal) => vision.start(signal), stop: () => vision.stop() },
      {
        name: 'cameras',
        start: () => {
          for (const camera of this.#live.config.cameras) if (camera.enabled) this.#startCamera(camera);
        },
        stop: () => this.#stopCameras(),
      },
      // Last to start and first to stop: READY goes out once everything runs, STOPPING before anything stops.
      { name: 'operations', start: () => operations.start(), stop: () => operations.stop() },
    ];
  }

  #stopped(report: StopReport): void {
    this.#core = undefined;
    this.#state = 'idle';
    log.info({ stopped: report.stopped, failed: report.failed }, 'gateway stopped');
  }

  #startCamera(camera: Config['cameras'][number]): void {
    const { vision, identity: gateway } = this.#require();
    const { detector, scheduler } = vision;
    const { config } = this.#live;
    const identity = gateway?.forCamera(camera.id, config, vision);
    const worker = new CameraWorker({
      camera,
      rules: config.rules,
      detector,
      scheduler,
      timezone: config.gateway.timezone,
      clock: this.#clock,
      ...(identity === undefined ? {} : { identity }),
      onResult: (result) => { this.#onResult(result); },
    });
    worker.start();
    this.#workers.set(camera.id, worker);
  }

  async #stopCamera(id: string): Promise<void> {
    const worker = this.#workers.get(id);
    this.#workers.delete(id);
    await worker?.stop();
  }

  async #stopCameras(): Promise<void> {
    await Promise.all([...this.#workers.keys()].map((id) => this.#stopCamera(id)));
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
