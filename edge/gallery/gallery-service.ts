import type { IdentityConfig } from '../config/identity.js';
import type { VisionConfig } from '../config/vision.js';
import { HuxiaoError } from '../errors.js';
import type { FacePhotoModels } from '../identity/face-photo.js';
import { openFaceModels, type FaceModels } from '../identity/face-models.js';
import { moduleLogger } from '../log.js';
import type { Store } from '../store/store.js';
import { Enrollment, type EnrollmentVoice } from './enrollment.js';
import { Gallery } from './gallery.js';

export interface GalleryServiceOptions {
  /** Started before this service (the storage phase). */
  readonly store: Store;
  readonly identity: IdentityConfig;
  readonly vision: VisionConfig;
  readonly voice?: EnrollmentVoice;
  /** The face models the running vision stage already holds, if its rules load them; otherwise they are opened on the first enrollment. */
  readonly loadedModels?: () => FacePhotoModels | undefined;
}

const log = moduleLogger('gallery-service');

/**
 * The gallery of a running gateway and enrollment into it (cmd/enroll, the local page). Not fatal: a gallery that
 * cannot start (GALLERY_KEY: key missing with persons enrolled, or the wrong key) is logged, and enrollment answers
 * GALLERY_UNAVAILABLE while the rest of the gateway runs. The face models for enrollment photos are the vision
 * stage's when it has them, else opened at the first enrollment (~0.5 s) and kept until stop.
 */
export class GalleryService {
  readonly #options: GalleryServiceOptions;
  #gallery: Gallery | undefined;
  #enrollment: Enrollment | undefined;
  #models: Promise<FaceModels> | undefined;

  constructor(options: GalleryServiceOptions) {
    this.#options = options;
  }

  start(): void {
    const gallery = new Gallery({ store: this.#options.store, keyFile: this.#options.identity.keyFile });
    try {
      gallery.start();
    } catch (error) {
      log.error({ err: error }, 'the gallery is unavailable: no enrollment, no identification; the gateway runs on');
      return;
    }
    this.#gallery = gallery;
    this.#enrollment = new Enrollment({ gallery, models: () => this.#faceModels(), ...(this.#options.voice === undefined ? {} : { voice: this.#options.voice }) });
  }

  async stop(): Promise<void> {
    this.#gallery?.stop();
    this.#gallery = undefined;
    this.#enrollment = undefined;
    const models = this.#models;
    this.#models = undefined;
    if (models !== undefined) await (await models.catch(() => undefined))?.stop();
  }

  /** Undefined before start, after stop, or when the gallery did not start. */
  get gallery(): Gallery | undefined {
    return this.#gallery;
  }

  /** The enrollment of the started gallery, or GALLERY_UNAVAILABLE. */
  enrollment(): Enrollment {
    if (this.#enrollment === undefined) throw new HuxiaoError('GALLERY_UNAVAILABLE', 'the gallery of this gateway is not running (see the gateway log: its key is missing or wrong)');
    return this.#enrollment;
  }

  #faceModels(): Promise<FacePhotoModels> {
    const loaded = this.#options.loadedModels?.();
    if (loaded !== undefined) return Promise.resolve(loaded);
    if (this.#models === undefined) {
      const opening = openFaceModels(this.#options.vision);
      // A failed open is tried again at the next enrollment, not remembered.
      void opening.catch(() => {
        if (this.#models === opening) this.#models = undefined;
      });
      this.#models = opening;
    }
    return this.#models;
  }
}
