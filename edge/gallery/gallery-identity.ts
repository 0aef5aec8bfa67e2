import { listPolicy, type IdentityConfig } from '../config/identity.js';
import type { DeepReadonly } from '../config/schema.js';
import { isHuxiaoError } from '../errors.js';
import type { IdentityMatch, IdentityMatcher, PersonDirectory, PersonNames } from '../identity/matcher.js';
import { similarityScore } from '../identity/score.js';
import type { Gallery } from './gallery.js';

/**
 * The gallery as the live pipeline uses it: track identification matches faces through Gallery.match (the two
 * nearest persons of every list, so a look-alike of another list counts against the margin), scored with the
 * calibrated 0-100 map; thresholds and shareNames come from the config's identity section per list; the voice and
 * the payloads of sharing lists read names through `names`, decrypted on demand and never kept.
 */
export class GalleryIdentity implements IdentityMatcher, PersonDirectory {
  readonly #gallery: Gallery;
  readonly #config: DeepReadonly<IdentityConfig>;

  constructor(gallery: Gallery, config: DeepReadonly<IdentityConfig>) {
    this.#gallery = gallery;
    this.#config = config;
  }

  match(embedding: Float32Array): IdentityMatch | undefined {
    if (!this.#gallery.started) return undefined;
    const [first, second] = this.#gallery.match(embedding, { k: 2 });
    if (first === undefined) return undefined;
    return { personId: first.id, list: first.list, score: similarityScore(first.similarity), runnerUp: second === undefined ? undefined : similarityScore(second.similarity) };
  }

  threshold(list: string): number {
    return listPolicy(this.#config, list).threshold;
  }

  names(personId: string): PersonNames | undefined {
    if (!this.#gallery.started) return undefined;
    try {
      const person = this.#gallery.person(personId);
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
}
