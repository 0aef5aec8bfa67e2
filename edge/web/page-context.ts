import type { Actions } from '../actions/actions.js';
import type { AlertService } from '../alerts/alert-service.js';
import type { CameraWorker } from '../camera-worker.js';
import type { WebConfig } from '../config/web.js';
import type { GalleryService } from '../gallery/gallery-service.js';
import type { Retention } from '../store/retention.js';
import type { Store } from '../store/store.js';
import type { Uplink } from '../uplink/uplink.js';
import type { VisionRuntime } from '../vision/runtime.js';
import type { ConfigFileAccess } from './config-editor.js';

/** What the page reads of the started runtime (the controller, through ops): accessors, read at each request. */
export interface PageRuntime {
  readonly store: Store;
  readonly retention: Retention;
  readonly alerts: AlertService;
  readonly actions: Actions;
  readonly vision: VisionRuntime;
  /** The gallery and enrollment; its gallery is undefined when it did not start (no key). */
  readonly gallery: GalleryService;
  /** Undefined without an mqtt section. */
  readonly uplink: Uplink | undefined;
  cameras(): readonly CameraWorker[];
}

/** The health verdicts as ops evaluates them for /healthz (declared here so web does not import ops). */
export interface PageHealth {
  readonly live: boolean;
  readonly ready: boolean;
  readonly checks: readonly { readonly name: string; readonly camera?: string; readonly verdict: string; readonly detail?: string }[];
}

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
  readonly runtime: PageRuntime;
  readonly health: () => PageHealth;
  /** Wall clock, ms. */
  readonly clock?: () => number;
}
