import { existsSync } from 'node:fs';
import type { IdentityConfig } from '../config/identity.js';
import type { VisionConfig } from '../config/vision.js';
import { HuxiaoError } from '../errors.js';
import type { FacePhotoModels } from '../identity/face-photo.js';
import { openFaceModels, type FaceModels } from '../identity/face-models.js';
import { moduleLogger } from '../log.js';
import type { Store } from '../store/store.js';
import { Enrollment, type EnrollmentVoice } from './enrollment.js';
import { Gallery, type PersonRecord } from './gallery.js';
import { GalleryStore } from './gallery-store.js';

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
 * GALLERY_UNAVAILABLE while the rest of the gateway runs. An empty gallery without a key yet (a box where no one is
 * enrolled) is not opened at start: the first enrollment opens it and creates the key then, so a gateway that never
 * enrolls anyone never writes a key file. The face models for enrollment photos are the vision stage's when it has
 * them, else opened at the first enrollment (~0.5 s) and kept until stop.
 */
export class GalleryService {
  readonly #options: GalleryServiceOptions;
  #state: { readonly kind: 'stopped' | 'empty' } | { readonly kind: 'running'; readonly gallery: Gallery; readonly enrollment: Enrollment } | { readonly kind: 'unavailable'; readonly reason: string } = { kind: 'stopped' };
  #models: Promise<FaceModels> | undefined;

  constructor(options: GalleryServiceOptions) {
    this.#options = options;
  }

  start(): void {
    if (!existsSync(this.#options.identity.keyFile) && new GalleryStore(this.#options.store).counts().size === 0) {
      this.#state = { kind: 'empty' };
      return;
    }
    this.#openOrReport();
  }

  async stop(): Promise<void> {
    if (this.#state.kind === 'running') this.#state.gallery.stop();
    this.#state = { kind: 'stopped' };
    const models = this.#models;
    this.#models = undefined;
    if (models !== undefined) await (await models.catch(() => undefined))?.stop();
  }

  /** The started gallery; undefined while it is empty without a key, when it could not start, or after stop. */
  get gallery(): Gallery | undefined {
    this.#catchUp();
    return this.#state.kind === 'running' ? this.#state.gallery : undefined;
  }

  /** Why the gallery did not start (GALLERY_KEY's message), or undefined. */
  get unavailable(): string | undefined {
    return this.#state.kind === 'unavailable' ? this.#state.reason : undefined;
  }

  /** The enrolled persons' records (no names); none while the gallery is empty or unavailable. */
  records(): PersonRecord[] {
    return this.gallery?.records() ?? [];
  }

  /** The enrollment of the gallery, opened (and its key created) now if it was empty; GALLERY_UNAVAILABLE when it could not start. */
  enrollment(): Enrollment {
    this.#catchUp();
    switch (this.#state.kind) {
      case 'running':
        return this.#state.enrollment;
      case 'empty':
        return this.#open();
      case 'unavailable':
        throw new HuxiaoError('GALLERY_UNAVAILABLE', `the gallery of this gateway is not running: ${this.#state.reason}`);
      case 'stopped':
        throw new HuxiaoError('GALLERY_UNAVAILABLE', 'the gallery of this gateway is not running (the gateway is starting or stopping)');
    }
  }

  /** `huxiao enroll` may have created the key and enrolled someone since an empty start: open the gallery then. */
  #catchUp(): void {
    if (this.#state.kind === 'empty' && existsSync(this.#options.identity.keyFile)) this.#openOrReport();
  }

  #openOrReport(): void {
    try {
      this.#open();
    } catch (error) {
      log.error({ err: error }, 'the gallery is unavailable: no enrollment, no identification; the gateway runs on');
      this.#state = { kind: 'unavailable', reason: error instanceof Error ? error.message : String(error) };
    }
  }

  #open(): Enrollment {
    const gallery = new Gallery({ store: this.#options.store, keyFile: this.#options.identity.keyFile });
    gallery.start();
    const enrollment = new Enrollment({ gallery, models: () => this.#faceModels(), ...(this.#options.voice === undefined ? {} : { voice: this.#options.voice }) });
    this.#state = { kind: 'running', gallery, enrollment };
    return enrollment;
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
