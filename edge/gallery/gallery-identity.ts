import { listPolicy, type IdentityConfig } from '../config/identity.js';
import type { DeepReadonly } from '../config/schema.js';
import { isHuxiaoError } from '../errors.js';
import type { IdentityMatch, IdentityMatcher, PersonDirectory, PersonNames } from '../identity/matcher.js';
import { similarityScore } from '../identity/score.js';
import { Gallery } from './gallery.js';

/** Where the gallery is found when it is needed: GalleryService's, which may open only at the first enrollment. */
export interface GallerySource {
  readonly gallery: Gallery | undefined;
}

/**
 * The gallery as the live pipeline uses it: track identification matches faces through Gallery.match (the two
 * nearest persons of every list, so a look-alike of another list counts against the margin), scored with the
 * calibrated 0-100 map; thresholds and shareNames come from the config's identity section per list; the voice and
 * the payloads of sharing lists read names through `names`, decrypted on demand and never kept.
 */
export class GalleryIdentity implements IdentityMatcher, PersonDirectory {
  readonly #source: Gallery | GallerySource;
  readonly #config: DeepReadonly<IdentityConfig>;

  constructor(gallery: Gallery | GallerySource, config: DeepReadonly<IdentityConfig>) {
    this.#source = gallery;
    this.#config = config;
  }

  match(embedding: Float32Array): IdentityMatch | undefined {
    const gallery = this.#started();
    if (gallery === undefined) return undefined;
    const [first, second] = gallery.match(embedding, { k: 2 });
    if (first === undefined) return undefined;
    return { personId: first.id, list: first.list, score: similarityScore(first.similarity), runnerUp: second === undefined ? undefined : similarityScore(second.similarity) };
  }

  threshold(list: string): number {
    return listPolicy(this.#config, list).threshold;
  }

  names(personId: string): PersonNames | undefined {
    const gallery = this.#started();
    if (gallery === undefined) return undefined;
    try {
      const person = gallery.person(personId);
      return { name: person.name, class: person.class };
    } catch (error) {
      // Removed since the track was identified: the warning falls back to the sentence without a name.
      if (isHuxiaoError(error) && error.code === 'GALLERY_UNKNOWN_PERSON') return undefined;
      throw error;
    }
  }

  sharesNames(list: string): boolean {
    return listPolicy(this.#config, list).shareNames;
  }

  #started(): Gallery | undefined {
    const gallery = this.#source instanceof Gallery ? this.#source : this.#source.gallery;
    return gallery?.started === true ? gallery : undefined;
  }
}
