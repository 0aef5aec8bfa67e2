import { mkdirSync } from 'node:fs';
import { facePhoto } from '../../edge/identity/face-photo.js';
import { openGallery } from './gallery.js';
import { STUDENTS_LIST } from '../../edge/config/identity.js';
import type { IdentityMatch, IdentityMatcher, PersonDirectory, PersonNames } from '../../edge/identity/matcher.js';
import { DEFAULT_THRESHOLD, similarityScore } from '../../edge/identity/score.js';
import type { FaceDetector } from '../../edge/vision/face-detector.js';
import { cosine, type FaceEmbedder } from '../../edge/vision/face-embedder.js';
import { PEOPLE, PORTRAITS_PER_PERSON, portraitPath, type Person } from './face-set.js';

/** A portrait's embedding under the person id the gallery gives it (a face set name, or an alias). */
export interface PortraitFace {
  readonly personId: string;
  readonly embedding: Float32Array;
}

export interface Enrolled {
  readonly list: string;
  readonly names?: PersonNames;
}

/**
 * The gallery seam over the shared face set's portraits, embedded with the real models through facePhoto(): exact
 * cosine against every portrait of every enrolled person, the calibrated score map, one threshold per list. What the
 * encrypted gallery's search index does, without its storage.
 */
export class PortraitGallery implements IdentityMatcher, PersonDirectory {
  readonly #faces: readonly PortraitFace[];
  readonly #enrolled: ReadonlyMap<string, Enrolled>;
  readonly #thresholds: ReadonlyMap<string, number>;
  readonly #shared: ReadonlySet<string>;
  /** Name lookups so far, by person: tests check names are fetched only where they are spoken or shared. */
  readonly lookups: string[] = [];

  constructor(
    faces: readonly PortraitFace[],
    enrolled: ReadonlyMap<string, Enrolled>,
    options: { readonly thresholds?: ReadonlyMap<string, number>; readonly shareNames?: readonly string[] } = {},
  ) {
    this.#faces = faces.filter((face) => enrolled.has(face.personId));
    this.#enrolled = enrolled;
    this.#thresholds = options.thresholds ?? new Map();
    this.#shared = new Set(options.shareNames ?? []);
  }

  match(embedding: Float32Array): IdentityMatch | undefined {
    const best = new Map<string, number>();
    for (const face of this.#faces) best.set(face.personId, Math.max(best.get(face.personId) ?? -1, cosine(embedding, face.embedding)));
    const ranked = [...best].sort((a, b) => b[1] - a[1]);
    const [first, second] = ranked;
    if (first === undefined) return undefined;
    const list = this.#enrolled.get(first[0])?.list ?? STUDENTS_LIST;
    return { personId: first[0], list, score: similarityScore(first[1]), runnerUp: second === undefined ? undefined : similarityScore(second[1]) };
  }

  threshold(list: string): number {
    return this.#thresholds.get(list) ?? DEFAULT_THRESHOLD;
  }

  names(personId: string): PersonNames | undefined {
    this.lookups.push(personId);
    return this.#enrolled.get(personId)?.names;
  }

  sharesNames(list: string): boolean {
    return this.#shared.has(list);
  }
}

/** Every portrait's embedding, each person's in order 1..5 (all 40 pass the enrollment checks). */
export async function portraitFaces(models: { readonly detector: FaceDetector; readonly embedder: FaceEmbedder }): Promise<PortraitFace[]> {
  const faces: PortraitFace[] = [];
  for (const person of PEOPLE) {
    for (let n = 1; n <= PORTRAITS_PER_PERSON; n += 1) {
      const photo = await facePhoto(models, portraitPath(person, n));
      faces.push({ personId: person, embedding: photo.embedding });
    }
  }
  return faces;
}

/** One person's portraits enrolled a second time under another id: a duplicate (or identical twin) in the gallery. */
export function aliased(faces: readonly PortraitFace[], person: Person, alias: string): PortraitFace[] {
  return [...faces, ...faces.filter((face) => face.personId === person).map((face) => ({ personId: alias, embedding: face.embedding }))];
}

/** Everyone of the face set in one list, without names. */
export function everyone(list: string = STUDENTS_LIST): Map<string, Enrolled> {
  return new Map(PEOPLE.map((person) => [person, { list }]));
}

/**
 * Enrolls persons of the face set with all their portraits into the encrypted gallery of a store directory (as
 * `huxiao enroll` will: a store and gallery of their own, closed again), for a gateway that opens it later.
 */
export function enrollPortraits(storeDir: string, keyFile: string, faces: readonly PortraitFace[], enrolled: ReadonlyMap<string, Enrolled>): void {
  mkdirSync(storeDir, { recursive: true });
  const open = openGallery(storeDir, { keyFile });
  try {
    for (const [id, person] of enrolled) {
      const embeddings = faces.filter((face) => face.personId === id).map((face) => face.embedding);
      const names = person.names ?? { name: id, class: undefined };
      open.gallery.enroll({ id, list: person.list, name: names.name, ...(names.class === undefined ? {} : { class: names.class }), consent: `consent-${id}`, embeddings, by: 'test' });
    }
  } finally {
    open.close();
  }
}
