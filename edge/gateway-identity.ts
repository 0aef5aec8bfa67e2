import { identityCameras } from './config/rules.js';
import type { Config } from './config/schema.js';
import { GalleryIdentity } from './gallery/gallery-identity.js';
import type { GalleryService } from './gallery/gallery-service.js';
import { faceWork } from './identity/head-face.js';
import { FaceBudget } from './identity/track-identifier.js';
import { moduleLogger } from './log.js';
import type { PerceptionIdentity } from './perception.js';
import type { VisionRuntime } from './vision/runtime.js';

/**
 * Face jobs in flight over all cameras. One: on the 2-core reference box each face job (find + embed, ~25-40 ms)
 * already shares the CPU with the detector, and a second in parallel would only lengthen the detector's runs.
 */
const FACE_JOBS_IN_FLIGHT = 1;

const log = moduleLogger('controller');

/**
 * What a gateway whose rules need identities adds to the controller: the gallery (GalleryService's, opened in its
 * start-up phase or at the first enrollment) as identification, the uplink's payloads and the voice use it, and
 * each identity camera's face work under one shared budget, admitted by the box's inference scheduler. The
 * controller builds it only when needsIdentity(config).
 */
export class GatewayIdentity {
  readonly directory: GalleryIdentity;
  readonly #gallery: GalleryService;
  readonly #budget = new FaceBudget(FACE_JOBS_IN_FLIGHT);

  constructor(config: Config, gallery: GalleryService) {
    this.#gallery = gallery;
    // The service, not its gallery: an empty gallery opens at the first enrollment, and matching follows it then.
    this.directory = new GalleryIdentity(gallery, config.identity);
  }

  /**
   * What a camera needs to identify faces; undefined for a camera without identity rules, or (logged) when they
   * cannot run: no face models, or a gallery that could not open (GALLERY_KEY). An empty gallery identifies no one
   * until the first enrollment.
   */
  forCamera(camera: string, config: Config, vision: VisionRuntime): PerceptionIdentity | undefined {
    if (!identityCameras(config).includes(camera)) return undefined;
    const { faceDetector, faceEmbedder, scheduler } = vision;
    const unavailable = this.#gallery.unavailable !== undefined;
    if (unavailable || faceDetector === undefined || faceEmbedder === undefined) {
      log.error({ camera, gallery: !unavailable, faceModels: faceDetector !== undefined && faceEmbedder !== undefined }, 'identity rules cannot run: no gallery or no face models; they never fire');
      return undefined;
    }
    return { faceWork: faceWork({ detector: faceDetector, embedder: faceEmbedder }, scheduler), matcher: this.directory, budget: this.#budget };
  }
}
