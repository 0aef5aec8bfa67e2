import type { Actions } from '../actions/actions.js';
import type { AlertService } from '../alerts/alert-service.js';
import type { CameraWorker } from '../camera-worker.js';
import type { GalleryService } from '../gallery/gallery-service.js';
import type { Retention } from '../store/retention.js';
import type { Store } from '../store/store.js';
import type { Uplink } from '../uplink/uplink.js';
import type { VisionRuntime } from '../vision/runtime.js';

/**
 * What the operations side reads of the started runtime: the controller passes itself. Read at each scrape or health
 * sample, never cached, so a config reload that replaces the camera workers is seen at once.
 */
export interface RuntimeView {
  readonly store: Store;
  readonly retention: Retention;
  readonly alerts: AlertService;
  readonly actions: Actions;
  readonly vision: VisionRuntime;
  /** The local page's gallery section. */
  readonly gallery: GalleryService;
  /** Undefined without an mqtt section. */
  readonly uplink: Uplink | undefined;
  cameras(): readonly CameraWorker[];
}
