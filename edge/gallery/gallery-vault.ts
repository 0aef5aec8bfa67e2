import { HuxiaoError } from '../errors.js';
import { moduleLogger } from '../log.js';
import { seal, unseal, type SealedField } from '../identity/gallery-crypto.js';
import { createGalleryKey, readGalleryKey } from '../identity/gallery-key.js';
import { decodeDetails, decodeEmbeddings, encodeDetails, encodeEmbeddings, type PersonDetails } from '../identity/gallery-codec.js';
import type { GalleryStore, SealedPerson } from './gallery-store.js';

const log = moduleLogger('gallery');

/** A known plaintext sealed with the key in gallery_meta: a wrong key is told apart from a tampered row. */
const KEY_CHECK: SealedField = { column: 'gallery_meta.key_check', id: '', list: '' };
const KEY_CHECK_TEXT = Buffer.from('huxiao gallery key check', 'utf8');

export interface VaultOptions {
  readonly keyFile: string;
  /**
   * Create the key file when it is missing and the gallery holds no person (the service, enrollment). Never when
   * persons are enrolled: a new key would not open them, so the gallery is unavailable (GALLERY_KEY) until the key
   * file is restored.
   */
  readonly create: boolean;
}

function field(column: 'details' | 'embeddings', person: { readonly id: string; readonly list: string }): SealedField {
  return { column: `gallery_persons.${column}`, id: person.id, list: person.list };
}

/** The gallery key and what it seals: details and embeddings of a row, bound to the row's id and list. */
export class GalleryVault {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /** Reads (or, per `create`, makes) the key and checks it against the gallery; nothing is written on a failure. */
  static open(store: GalleryStore, options: VaultOptions): GalleryVault {
    const { keyFile } = options;
    const check = store.meta('key_check');
    let key = readGalleryKey(keyFile);
    if (key === undefined) {
      const persons = store.count();
      if (persons > 0) {
        throw new HuxiaoError('GALLERY_KEY', `${keyFile}: missing, and the gallery holds ${String(persons)} persons sealed with the key that was there; restore that file (a new key would not open them, so none is created)`);
      }
      if (!options.create) throw new HuxiaoError('GALLERY_KEY', `${keyFile}: missing (the gallery is empty; the service or the first enrollment creates it)`);
      key = createGalleryKey(keyFile);
      log.warn({ keyFile }, 'created a new gallery key: back it up; without it the gallery cannot be read');
    } else if (Buffer.isBuffer(check)) {
      try {
        unseal(key, check, KEY_CHECK);
      } catch (error) {
        throw new HuxiaoError('GALLERY_KEY', `${keyFile}: is not the key this gallery was sealed with; restore the right key file (nothing was changed)`, { cause: error });
      }
      return new GalleryVault(key);
    }
    // The first open with the service's rights records the check (a key installed by install.sh has none yet).
    if (options.create) store.setMeta('key_check', seal(key, KEY_CHECK_TEXT, KEY_CHECK));
    return new GalleryVault(key);
  }

  sealDetails(person: { readonly id: string; readonly list: string }, details: PersonDetails): Buffer {
    return seal(this.#key, encodeDetails(details), field('details', person));
  }

  sealEmbeddings(person: { readonly id: string; readonly list: string }, embeddings: readonly Float32Array[]): Buffer {
    return seal(this.#key, encodeEmbeddings(embeddings), field('embeddings', person));
  }

  details(person: SealedPerson): PersonDetails {
    return decodeDetails(unseal(this.#key, person.details, field('details', person)));
  }

  embeddings(person: SealedPerson): Float32Array[] {
    return decodeEmbeddings(unseal(this.#key, person.embeddings, field('embeddings', person)));
  }
}
