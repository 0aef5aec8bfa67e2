import type { FastifyPluginAsync } from 'fastify';
import type { CameraWorker } from '../camera-worker.js';
import type { WebConfig } from '../config/web.js';
import { moduleLogger } from '../log.js';
import { pageRoutes } from '../web/page.js';
import type { PageSetup } from '../web/page-context.js';
import { WebServer } from '../web/server.js';
import { healthRoutes } from './health-routes.js';
import { Health, type CameraProbe, type HealthOptions } from './health.js';
import { metricsRoutes } from './metrics-routes.js';
import { RuntimeMetrics } from './metrics.js';
import type { RuntimeView } from './runtime-view.js';
import { SystemdNotifier } from './systemd-notify.js';
import { SystemdService } from './systemd-service.js';

export interface OperationsContext {
  readonly web: WebConfig;
  /** The started runtime; read at each scrape and health sample. */
  readonly runtime: RuntimeView;
  /** Default: systemd-notify with this process's environment. */
  readonly notifier?: SystemdNotifier;
  readonly health?: HealthOptions;
  /** The local page for installers and the guard room; without it only /metrics and /healthz are served. */
  readonly page?: PageSetup;
}

const log = moduleLogger('operations');

/**
 * The operations side of a running gateway: one health evaluation, the Prometheus figures, the HTTP server that
 * serves them (and that the local page's routes join), and systemd's notifications. Started last, once the runtime
 * runs, because its start is what tells systemd READY=1; stopped first, which tells systemd STOPPING=1. Nothing in it
 * is fatal: a web server that cannot listen is logged, and readiness and the watchdog still work.
 */
export class Operations {
  readonly #context: OperationsContext;
  readonly #health: Health;
  readonly #service: SystemdService;
  #metrics: RuntimeMetrics | undefined;
  #web: WebServer | undefined;
  #phase: 'starting' | 'running' | 'stopping' = 'starting';

  constructor(context: OperationsContext) {
    this.#context = context;
    const { runtime } = context;
    this.#health = new Health({
      cameras: () => runtime.cameras().map(cameraProbe),
      probeStore: () => { runtime.store.probeWrite(); },
      storeFull: () => runtime.retention.usage().full,
      detectorReady: () => (runtime.cameras().length === 0 ? undefined : runtime.vision.health().some((model) => model.role === 'detector' && model.state === 'ready')),
      phase: () => this.#phase,
    }, context.health);
    this.#service = new SystemdService({ health: this.#health, notifier: context.notifier ?? new SystemdNotifier() });
  }

  get health(): Health {
    return this.#health;
  }

  /** Where the local page listens; empty when it is disabled or could not listen. */
  urls(): readonly string[] {
    return this.#web?.urls() ?? [];
  }

  async start(): Promise<void> {
    this.#health.start();
    if (this.#context.web.enabled) await this.#startWeb();
    this.#phase = 'running';
    await this.#service.ready();
  }

  async stop(): Promise<void> {
    this.#phase = 'stopping';
    await this.#service.stopping();
    const web = this.#web;
    this.#web = undefined;
    try {
      await web?.stop();
    } finally {
      this.#metrics?.stop();
      this.#metrics = undefined;
      this.#health.stop();
    }
  }

  async #startWeb(): Promise<void> {
    const metrics = new RuntimeMetrics({ runtime: this.#context.runtime, health: this.#health });
    metrics.start();
    const routes: FastifyPluginAsync[] = [metricsRoutes(metrics), healthRoutes(this.#health)];
    const { page, runtime } = this.#context;
    if (page !== undefined) routes.push(pageRoutes({ ...page, web: this.#context.web, runtime, health: () => this.#health.evaluate() }));
    const web = new WebServer({ config: this.#context.web, routes });
    try {
      await web.start();
    } catch (error) {
      metrics.stop();
      log.error({ err: error }, 'the local page, /metrics and /healthz are not served; the gateway runs on');
      return;
    }
    this.#metrics = metrics;
    this.#web = web;
  }
}

function cameraProbe(worker: CameraWorker): CameraProbe {
  const { camera, state, frames, processed, reconnects, degraded } = worker.status();
  const { stallTimeoutSeconds, maxDelayMs } = worker.camera.reconnect;
  return { camera, state, frames, processed, reconnects, degraded, stallTimeoutSeconds, maxReconnectDelayMs: maxDelayMs };
}
