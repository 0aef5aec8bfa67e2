import type { WebConfig } from '../config/web.js';
import type { HealthReport } from '../ops/health.js';
import type { RuntimeView } from '../ops/runtime-view.js';
import type { ConfigFileAccess } from './config-editor.js';

/** What the page needs of the gateway beside the runtime: fixed at start-up, given by the controller. */
export interface PageSetup {
  readonly gatewayId: string;
  /** storage.dir: the disk the page reports on; alert pictures are under its snapshots/. */
  readonly storageDir: string;
  /** The config file and the reload that applies it; without it (a gateway started from a config object) zones are read-only. */
  readonly configFile?: ConfigFileAccess;
}

/** Everything the page's routes are given: accessors only, read at each request (a reload replaces the cameras). */
export interface PageContext extends PageSetup {
  readonly web: WebConfig;
  readonly runtime: RuntimeView;
  readonly health: () => HealthReport;
  /** Wall clock, ms. */
  readonly clock?: () => number;
}
