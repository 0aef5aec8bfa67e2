import { identityCameras } from './config/rules.js';
import type { Config } from './config/schema.js';
import { Gallery } from './gallery/gallery.js';
import { GalleryIdentity } from './gallery/gallery-identity.js';
import { faceWork } from './identity/head-face.js';
import { FaceBudget } from './identity/track-identifier.js';
import { moduleLogger } from './log.js';
import type { PerceptionIdentity } from './perception.js';
import type { Phase } from './phases.js';
import type { Store } from './store/store.js';
import type { VisionRuntime } from './vision/runtime.js';

/**
 * Face jobs in flight over all cameras. One: on the 2-core reference box each face job (find + embed, ~25-40 ms)
 * already shares the CPU with the detector, and a second in parallel would only lengthen the detector's runs.
 */
const FACE_JOBS_IN_FLIGHT = 1;

const log = moduleLogger('controller');

/**
 * What a gateway whose rules need identities adds to the controller: the encrypted gallery (its start-up phase), the
 * gallery as identification and the alerts use it, and each identity camera's face work under one shared budget.
 * The controller builds it only when needsIdentity(config).
 */
export class GatewayIdentity {
  readonly gallery: Gallery;
  readonly directory: GalleryIdentity;
  readonly #budget = new FaceBudget(FACE_JOBS_IN_FLIGHT);

  constructor(config: Config, store: Store) {
    this.gallery = new Gallery({ store, keyFile: config.identity.keyFile });
    this.directory = new GalleryIdentity(this.gallery, config.identity);
  }

  /**
   * Opens the gallery (its key, then the index of every person); it runs before the alerts start, so the first
   * alert's payload can already share names. Not fatal: a gallery that cannot open (GALLERY_KEY) leaves the identity
   * rules silent and every other rule runs.
   */
  phase(): Phase {
    return {
      name: 'gallery',
      start: () => {
        try {
          this.gallery.start();
        } catch (error) {
          log.error({ err: error }, 'the gallery could not be opened: identity rules never fire; other rules run');
        }
      },
      stop: () => { this.gallery.stop(); },
    };
  }

  /** What a camera needs to identify faces; undefined for a camera without identity rules, or (logged) when they cannot run. */
  forCamera(camera: string, config: Config, vision: VisionRuntime): PerceptionIdentity | undefined {
    if (!identityCameras(config).includes(camera)) return undefined;
    const { faceDetector, faceEmbedder } = vision;
    if (!this.gallery.started || faceDetector === undefined || faceEmbedder === undefined) {
      log.error({ camera, gallery: this.gallery.started, faceModels: faceDetector !== undefined && faceEmbedder !== undefined }, 'identity rules cannot run: no gallery or no face models; they never fire');
      return undefined;
    }
    return { faceWork: faceWork({ detector: faceDetector, embedder: faceEmbedder }), matcher: this.directory, budget: this.#budget };
  }
}
