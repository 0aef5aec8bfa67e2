import { HuxiaoError, isHuxiaoError } from '../errors.js';
import { facePhoto, FacePhotoError, type FacePhotoModels } from '../identity/face-photo.js';
import { checkDetails, checkId, checkList, type PersonDetails } from '../identity/gallery-codec.js';
import { moduleLogger } from '../log.js';
import type { Actor, Gallery, PersonRecord, Removal } from './gallery.js';

/** One photo of a person: its bytes or file, and how messages name it (the file as given, "photo 2" of an upload). */
export interface EnrollmentPhoto {
  readonly name: string;
  readonly source: string | Buffer;
}

/** An enrollment from photos: the person, their photos and who enrolls them. */
export interface PhotoEnrollRequest extends PersonDetails, Actor {
  /** The person's id; a ULID is made when none is given. */
  readonly id?: string;
  readonly list: string;
  readonly photos: readonly EnrollmentPhoto[];
}

/** What rendering the person's named warnings did, or why it could not. */
export type VoiceOutcome = { readonly rendered: number; readonly kept: number; readonly removed: number } | { readonly error: string; readonly code: string };

export interface EnrollmentResult extends PersonRecord {
  readonly photos: number;
  /** Null when no voice is configured for enrollment (no audio at all). */
  readonly voice: VoiceOutcome | null;
}

export interface RemovalResult extends Removal {
  /** Name clips deleted with the person. */
  readonly clips: number;
}

/** The voice side of enrollment (actions/person-voice.ts), declared here so the gallery does not import the actions. */
export interface EnrollmentVoice {
  render(person: { readonly id: string; readonly name: string; readonly class?: string | undefined }): Promise<{ rendered: number; kept: number; removed: number }>;
  remove(person: { readonly id: string; readonly name?: string; readonly class?: string | undefined }): Promise<number>;
}

export interface EnrollmentContext {
  readonly gallery: Gallery;
  /** The face detector and embedder; opened on first use by the caller's choice (the CLI at once, the service lazily). */
  readonly models: () => Promise<FacePhotoModels>;
  readonly voice?: EnrollmentVoice;
}

/** Photos per person: the gallery keeps at most 32 embeddings, and more than a handful adds little to the template. */
export const MAX_PHOTOS = 32;

const log = moduleLogger('enrollment');

/**
 * Enrolling a person from photos, and removing them, for every way in (the CLI, cmd/enroll, the local page): every
 * photo must show exactly one usable face (facePhoto), all are checked before anything is stored, then the person
 * is enrolled in one transaction with its audit row (`by`, the actor), and last the warnings that say their name are
 * rendered, so the first warning does not wait for speech synthesis. A voice that cannot render (espeak-ng missing)
 * does not undo the enrollment: the result says so and the first warning synthesizes it then.
 */
export class Enrollment {
  readonly #context: EnrollmentContext;

  constructor(context: EnrollmentContext) {
    this.#context = context;
  }

  get gallery(): Gallery {
    return this.#context.gallery;
  }

  async enroll(request: PhotoEnrollRequest): Promise<EnrollmentResult> {
    // The cheap checks first: a blank name is refused before the models run.
    if (request.id !== undefined) checkId(request.id);
    checkList(request.list);
    const details = checkDetails(request);
    const { photos } = request;
    if (photos.length === 0 || photos.length > MAX_PHOTOS) throw new HuxiaoError('GALLERY_INVALID', `photos: expected 1-${String(MAX_PHOTOS)} photos, got ${String(photos.length)}`);
    const embeddings = await this.#embeddings(photos);
    const record = this.#context.gallery.enroll({ ...request, ...details, embeddings });
    const voice = await this.#render({ id: record.id, name: details.name, class: details.class });
    return { ...record, photos: photos.length, voice };
  }

  /** Removes the person for real (Gallery.remove) and deletes their name clips. */
  async remove(id: string, actor: Actor): Promise<RemovalResult> {
    const { gallery, voice } = this.#context;
    const spoken = this.#spoken(id);
    const removal = gallery.remove(id, actor);
    const clips = voice === undefined ? 0 : await voice.remove({ id, ...spoken });
    return { ...removal, clips };
  }

  /** Every photo checked, all problems told at once: an installer fixes three bad photos in one go, not in three runs. */
  async #embeddings(photos: readonly EnrollmentPhoto[]): Promise<Float32Array[]> {
    const models = await this.#context.models();
    const embeddings: Float32Array[] = [];
    const problems: FacePhotoError[] = [];
    for (const photo of photos) {
      try {
        embeddings.push((await facePhoto(models, photo.source, { name: photo.name })).embedding);
      } catch (error) {
        if (!(error instanceof FacePhotoError)) throw error;
        problems.push(error);
      }
    }
    const [first] = problems;
    if (first === undefined) return embeddings;
    if (problems.length === 1) throw first;
    throw new FacePhotosError(problems, photos.length);
  }

  async #render(person: { id: string; name: string; class?: string | undefined }): Promise<VoiceOutcome | null> {
    const { voice } = this.#context;
    if (voice === undefined) return null;
    try {
      return await voice.render(person);
    } catch (error) {
      log.warn({ err: error, person: person.id }, 'name clips not rendered: the first warning for this person synthesizes its sentence');
      return { error: error instanceof Error ? error.message : String(error), code: isHuxiaoError(error) ? error.code : 'UNEXPECTED' };
    }
  }

  /** Name and class for deleting cached copies of their sentences; nothing when the row no longer opens. */
  #spoken(id: string): { name?: string; class?: string } {
    try {
      const person = this.#context.gallery.person(id);
      return { name: person.name, ...(person.class === undefined ? {} : { class: person.class }) };
    } catch (error) {
      if (isHuxiaoError(error) && error.code === 'GALLERY_UNKNOWN_PERSON') throw error;
      return {};
    }
  }
}

/** Several photos of one person that cannot be used: FACE_PHOTO with each photo's problem. */
export class FacePhotosError extends HuxiaoError {
  readonly problems: readonly FacePhotoError[];

  constructor(problems: readonly FacePhotoError[], of: number) {
    super('FACE_PHOTO', `${String(problems.length)} of ${String(of)} photos cannot be used: ${problems.map((problem) => problem.message).join('; ')}`);
    this.name = 'FacePhotosError';
    this.problems = problems;
  }
}
