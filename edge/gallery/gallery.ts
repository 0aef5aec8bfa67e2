import { ulid } from 'ulidx';
import { HuxiaoError, isHuxiaoError } from '../errors.js';
import { moduleLogger } from '../log.js';
import type { Store } from '../store/store.js';
import { checkDetails, checkEmbeddings, checkId, checkList, template, type PersonDetails } from '../identity/gallery-codec.js';
import { GalleryIndex } from '../identity/gallery-index.js';
import { GalleryStore, type Actor, type PersonRecord, type Removal, type SealedPerson } from './gallery-store.js';
import { GalleryVault } from './gallery-vault.js';

export type { Actor, PersonRecord, Removal } from './gallery-store.js';
export type { PersonDetails } from '../identity/gallery-codec.js';

export interface GalleryOptions {
  /** A started store: the gallery's tables live in it. */
  readonly store: Store;
  /** identity.keyFile. Created (mode 0600) when missing while the gallery holds no person; see GalleryVault. */
  readonly keyFile: string;
  /** Create the key when missing while the gallery is empty (the service); false for readers such as replay. Default true. */
  readonly create?: boolean;
}

/** One enrollment: the person, their embeddings (L2-normalized, one length) and who enrolls them. */
export interface EnrollRequest extends PersonDetails, Actor {
  /** The person's id; a ULID is made when none is given. */
  readonly id?: string;
  /** `students` or `keypersons:<category>`. */
  readonly list: string;
  readonly embeddings: readonly Float32Array[];
}

/** A change of a person; an empty class or school clears it. */
export interface PersonChange extends Partial<PersonDetails> {
  readonly list?: string;
  readonly embeddings?: readonly Float32Array[];
}

export type Person = PersonRecord & PersonDetails;

export interface GalleryMatch {
  readonly id: string;
  readonly list: string;
  /** Cosine of the face with the person's template (the normalized mean of their embeddings). */
  readonly similarity: number;
}

const log = moduleLogger('gallery');

/**
 * The index's int8 similarities are within 1.3e-3 of the float ones (measured on the real portraits), and at 100,000
 * persons the best two strangers are often closer than that. So of the index's best CANDIDATES, those that could be
 * in the top k (within RESCORE_MARGIN of the k-th, twice the worst error of two values) are scored again in float from
 * their sealed rows: in two bench runs the top-1 then agreed with an exact search on 0.998 and 0.999 of genuine queries
 * instead of 0.988 and 0.996, and the similarity returned is the exact cosine. Usually that is k rows (0.1 ms each: read and decrypt), more only on near-ties.
 */
const CANDIDATES = 8;
const RESCORE_MARGIN = 0.003;

function cosine(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}

/**
 * The identity gallery: persons and their embeddings, sealed in the store, and an in-memory index per list built at
 * start from the decrypted templates. Enrollment, change and removal are each one durable transaction with their
 * audit row. Another process (the `huxiao gallery` CLI) may change the store meanwhile: a match first checks
 * SQLite's data_version and, when the gallery's revision moved, brings the index up to date, so a person removed
 * from the command line is no longer matched by the running service.
 */
export class Gallery {
  readonly #options: GalleryOptions;
  #open: { store: GalleryStore; vault: GalleryVault } | undefined;
  readonly #indexes = new Map<string, GalleryIndex>();
  /** List of each indexed person. */
  readonly #lists = new Map<string, string>();
  #unreadable: string[] = [];
  #revision = 0;
  #dataVersion = 0;

  constructor(options: GalleryOptions) {
    this.#options = options;
  }

  /** Opens the key (GALLERY_KEY when missing with persons enrolled, or wrong) and builds the index. */
  start(): void {
    const store = new GalleryStore(this.#options.store);
    const vault = GalleryVault.open(store, { keyFile: this.#options.keyFile, create: this.#options.create ?? true });
    this.#open = { store, vault };
    const started = performance.now();
    this.#loadAll();
    log.info({ persons: this.size, lists: [...this.#indexes.keys()], unreadable: this.#unreadable.length, ms: Math.round(performance.now() - started) }, 'gallery loaded');
  }

  stop(): void {
    this.#open = undefined;
    this.#indexes.clear();
    this.#lists.clear();
    this.#unreadable = [];
  }

  /** Between a successful start() and stop(). */
  get started(): boolean {
    return this.#open !== undefined;
  }

  /** Persons in the index. */
  get size(): number {
    return this.#lists.size;
  }

  /** Persons whose row did not decrypt at the last load (GALLERY_CORRUPT); they are not matched. */
  get unreadable(): readonly string[] {
    return this.#unreadable;
  }

  /** Bytes of the in-memory index (see GalleryIndex.bytes). */
  get indexBytes(): number {
    let bytes = 0;
    for (const index of this.#indexes.values()) bytes += index.bytes;
    return bytes;
  }

  /** Enrolls one person in one transaction with its audit row; the index has them when this returns. */
  enroll(request: EnrollRequest): PersonRecord {
    const { store, vault } = this.#require();
    const id = checkId(request.id ?? ulid());
    const list = checkList(request.list);
    const details = checkDetails(request);
    const by = this.#actor(request);
    const dimensions = checkEmbeddings(request.embeddings, this.#dimensions(store));
    const now = store.now;
    const person = store.store.durable(() => {
      if (store.get(id) !== undefined) throw new HuxiaoError('GALLERY_PERSON_EXISTS', `person "${id}" is already enrolled (list ${list})`);
      const row: SealedPerson = {
        id,
        list,
        enrolledAt: now,
        enrolledBy: by.by,
        updatedAt: now,
        revision: store.nextRevision(),
        details: vault.sealDetails({ id, list }, details),
        embeddings: vault.sealEmbeddings({ id, list }, request.embeddings),
      };
      if (store.meta('dimensions') === undefined) store.setMeta('dimensions', dimensions);
      store.insert(row, by, `list ${list}, ${String(request.embeddings.length)} embeddings`);
      return row;
    });
    this.#index(id, list, template(request.embeddings));
    return { id, list, enrolledAt: person.enrolledAt, enrolledBy: person.enrolledBy, updatedAt: person.updatedAt };
  }

  /** Changes a person's details, list or embeddings, audited with the names of the fields changed (not their values). */
  change(id: string, change: PersonChange, actor: Actor): PersonRecord {
    const { store, vault } = this.#require();
    const by = this.#actor(actor);
    const current = store.require(id);
    const before = vault.details(current);
    const details = checkDetails({ ...before, ...change });
    const list = checkList(change.list ?? current.list);
    if (change.embeddings !== undefined) checkEmbeddings(change.embeddings, this.#dimensions(store));
    // The list is bound into both ciphertexts, so a move re-seals the embeddings too.
    const embeddings = change.embeddings ?? (list === current.list ? undefined : vault.embeddings(current));
    const changed: string[] = (['name', 'class', 'school', 'consent'] as const).filter((key) => details[key] !== before[key]);
    if (list !== current.list) changed.push(`list ${current.list} -> ${list}`);
    if (change.embeddings !== undefined) changed.push(`embeddings (${String(change.embeddings.length)})`);
    if (changed.length === 0) return { id, list, enrolledAt: current.enrolledAt, enrolledBy: current.enrolledBy, updatedAt: current.updatedAt };
    const updated = store.store.durable(() => {
      const row: SealedPerson = {
        ...current,
        list,
        updatedAt: store.now,
        revision: store.nextRevision(),
        details: vault.sealDetails({ id, list }, details),
        embeddings: embeddings === undefined ? current.embeddings : vault.sealEmbeddings({ id, list }, embeddings),
      };
      store.update(row, by, `changed ${changed.join(', ')}`);
      return row;
    });
    store.wipeWal();
    if (embeddings !== undefined) this.#index(id, list, template(embeddings));
    return { id, list, enrolledAt: updated.enrolledAt, enrolledBy: updated.enrolledBy, updatedAt: updated.updatedAt };
  }

  /** Deletes a person for real (see GalleryStore.remove) and drops them from the index. */
  remove(id: string, actor: Actor): Removal {
    const { store } = this.#require();
    const removal = store.remove(id, this.#actor(actor));
    this.#unindex(id);
    return removal;
  }

  /** The plaintext records (no names), by id; of one list when given. */
  records(list?: string): PersonRecord[] {
    return this.#require().store.list(list);
  }

  /** A person with their details, decrypted on demand (the index holds no names). */
  person(id: string): Person {
    const { store, vault } = this.#require();
    const row = store.require(id);
    return { id: row.id, list: row.list, enrolledAt: row.enrolledAt, enrolledBy: row.enrolledBy, updatedAt: row.updatedAt, ...vault.details(row) };
  }

  /**
   * The `k` persons most like `face` (an L2-normalized embedding) in the given lists (all when omitted), best first,
   * with their exact cosine (see RESCORE_MARGIN).
   */
  match(face: Float32Array, options: { readonly lists?: readonly string[]; readonly k?: number } = {}): GalleryMatch[] {
    this.#sync();
    const { store, vault } = this.#require();
    const k = options.k ?? 1;
    const candidates: GalleryMatch[] = [];
    for (const [list, index] of this.#indexes) {
      if (options.lists !== undefined && !options.lists.includes(list)) continue;
      if (face.length !== index.dimensions) throw new HuxiaoError('GALLERY_INVALID', `face: has ${String(face.length)} values, the gallery holds ${String(index.dimensions)}-value embeddings`);
      for (const match of index.search(face, Math.max(k, CANDIDATES))) candidates.push({ id: match.id, list, similarity: match.similarity });
    }
    candidates.sort((a, b) => b.similarity - a.similarity);
    const matches: GalleryMatch[] = [];
    for (let i = 0; i < candidates.length; ) {
      const candidate = candidates[i];
      if (candidate === undefined || candidate.similarity < (candidates[k - 1]?.similarity ?? -Infinity) - RESCORE_MARGIN) break;
      const person = store.get(candidate.id);
      const embeddings = person === undefined ? undefined : this.#embeddings(vault, person);
      if (embeddings === undefined) {
        // Gone or no longer authentic: the next candidate moves up, and the bar with it.
        candidates.splice(i, 1);
        continue;
      }
      matches.push({ ...candidate, similarity: cosine(face, template(embeddings)) });
      i += 1;
    }
    return matches.sort((a, b) => b.similarity - a.similarity).slice(0, k);
  }

  /** A row's embeddings, or undefined (and the person left out of matching) when it no longer authenticates. */
  #embeddings(vault: GalleryVault, person: SealedPerson): Float32Array[] | undefined {
    try {
      return vault.embeddings(person);
    } catch (error) {
      if (!isHuxiaoError(error) || error.code !== 'GALLERY_CORRUPT') throw error;
      this.#unindex(person.id);
      this.#unreadable = [...new Set([...this.#unreadable, person.id])];
      log.error({ err: error, person: person.id }, 'gallery row left out of matching');
      return undefined;
    }
  }

  #require(): { store: GalleryStore; vault: GalleryVault } {
    if (this.#open === undefined) throw new Error('Gallery used before start() or after stop()');
    return this.#open;
  }

  #actor(actor: Actor): Actor {
    const by = actor.by.trim();
    if (by === '' || by.length > 100) throw new HuxiaoError('GALLERY_INVALID', 'by: who makes the change, 1-100 characters');
    return actor.correlation === undefined ? { by } : { by, correlation: actor.correlation };
  }

  #dimensions(store: GalleryStore): number | undefined {
    const value = store.meta('dimensions');
    return typeof value === 'number' ? value : undefined;
  }

  #index(id: string, list: string, vector: Float32Array): void {
    const previous = this.#lists.get(id);
    if (previous !== undefined && previous !== list) this.#indexes.get(previous)?.delete(id);
    let index = this.#indexes.get(list);
    if (index === undefined) {
      index = new GalleryIndex(vector.length);
      this.#indexes.set(list, index);
    }
    index.set(id, vector);
    this.#lists.set(id, list);
  }

  #unindex(id: string): void {
    const list = this.#lists.get(id);
    if (list === undefined) return;
    this.#indexes.get(list)?.delete(id);
    this.#lists.delete(id);
  }

  /** Builds the index from every row, one list at a time so each index is filled in bulk. */
  #loadAll(): void {
    const { store, vault } = this.#require();
    this.#dataVersion = store.store.db.pragma('data_version', { simple: true }) as number;
    this.#revision = store.revision();
    const dimensions = this.#dimensions(store);
    if (dimensions === undefined) return;
    const unreadable = new Set<string>();
    for (const [list, count] of store.counts()) {
      const index = new GalleryIndex(dimensions);
      this.#indexes.set(list, index);
      index.bulk(count, () => {
        for (const person of store.rows(list)) this.#load(vault, person, unreadable);
      });
    }
    this.#unreadable = [...unreadable];
  }

  /**
   * Catches up with changes another process committed: rows of a revision above the last one seen are (re)loaded,
   * persons no longer in the table are dropped. The gallery's own writes leave the revision seen as it was, so a
   * foreign change committed between two of them is never skipped (at worst an own row is loaded once more).
   */
  #catchUp(): void {
    const { store, vault } = this.#require();
    const seen = this.#revision;
    this.#revision = store.revision();
    const rows = store.revisions();
    const present = new Set(rows.map((row) => row.id));
    for (const id of [...this.#lists.keys()]) if (!present.has(id)) this.#unindex(id);
    const unreadable = new Set(this.#unreadable.filter((id) => present.has(id)));
    for (const row of rows) if (row.revision > seen) this.#load(vault, store.get(row.id), unreadable);
    this.#unreadable = [...unreadable];
  }

  #load(vault: GalleryVault, person: SealedPerson | undefined, unreadable: Set<string>): void {
    if (person === undefined) return;
    const embeddings = this.#embeddings(vault, person);
    if (embeddings === undefined) unreadable.add(person.id);
    else {
      this.#index(person.id, person.list, template(embeddings));
      unreadable.delete(person.id);
    }
  }

  /** Cheap when nothing changed: one pragma. */
  #sync(): void {
    const { store } = this.#require();
    const version = store.store.db.pragma('data_version', { simple: true }) as number;
    if (version === this.#dataVersion) return;
    this.#dataVersion = version;
    if (store.revision() !== this.#revision) this.#catchUp();
  }
}
