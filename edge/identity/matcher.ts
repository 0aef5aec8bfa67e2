/**
 * The seam between the live pipeline and the gallery: what track identification and the alerts need from it, and
 * nothing more. The encrypted gallery (persons, embeddings, search index, the identity config section) implements
 * these; tests implement them over the portraits of the shared face set.
 */

/** The nearest gallery person to one face embedding. */
export interface IdentityMatch {
  readonly personId: string;
  /** The person's gallery list: `students` or `keypersons:<category>`. */
  readonly list: string;
  /** Calibrated 0-100 similarity score (score.ts) of the person's nearest gallery face. */
  readonly score: number;
  /** Score of the nearest other person; undefined when the gallery holds no one else. */
  readonly runnerUp: number | undefined;
}

export interface IdentityMatcher {
  /** The nearest person to a face embedding (L2-normalized, biometric: never log it); undefined for an empty gallery. */
  match(embedding: Float32Array): IdentityMatch | undefined;
  /** Score at or above which a face matches a person of this list (identity config, per list; programmes use 90). */
  threshold(list: string): number;
}

/** What the voice says about a person: sensitive, fetched only when a warning is about to be spoken. */
export interface PersonNames {
  readonly name: string;
  /** e.g. 三年级二班; undefined when the gallery has none (key persons). */
  readonly class: string | undefined;
}

export interface PersonDirectory {
  /** Name and class of a gallery person; undefined when the person is no longer in the gallery. */
  names(personId: string): PersonNames | undefined;
  /** True when the config lets names and classes of this list leave the box in MQTT payloads (shareNames). */
  sharesNames(list: string): boolean;
}
