import type { Statement } from 'better-sqlite3';
import { HuxiaoError } from '../errors.js';
import type { Store } from '../store/store.js';

/** What anyone with the database file can read about a person: no name, class, school, consent or face. */
export interface PersonRecord {
  readonly id: string;
  readonly list: string;
  readonly enrolledAt: number;
  readonly enrolledBy: string;
  readonly updatedAt: number;
}

/** A person's row: the plaintext record and the sealed values (see GalleryVault). */
export interface SealedPerson extends PersonRecord {
  /** Gallery revision of the row's last write; other processes reload rows newer than what they indexed. */
  readonly revision: number;
  readonly details: Buffer;
  readonly embeddings: Buffer;
}

/** Who makes a change, for the audit row. */
export interface Actor {
  readonly by: string;
  /** Correlation data of the MQTT command that asked for it, hex. */
  readonly correlation?: string;
}

export interface Removal {
  readonly id: string;
  readonly list: string;
  /** The WAL was checkpointed and truncated, so no copy of the row is left in the -wal file. */
  readonly wiped: boolean;
}

interface Row {
  id: string;
  list: string;
  enrolled_at: number;
  enrolled_by: string;
  updated_at: number;
  revision: number;
  details: Buffer;
  embeddings: Buffer;
}

function record(row: Row): PersonRecord {
  return { id: row.id, list: row.list, enrolledAt: row.enrolled_at, enrolledBy: row.enrolled_by, updatedAt: row.updated_at };
}

function sealed(row: Row): SealedPerson {
  return { ...record(row), revision: row.revision, details: row.details, embeddings: row.embeddings };
}

/**
 * The gallery's tables in the store, without the key: listing, removing and auditing need none. Every write is one
 * durable transaction with its audit row (person id, action, by whom, when: never a name).
 */
export class GalleryStore {
  readonly store: Store;
  readonly #get: Statement;
  readonly #list: Statement;
  readonly #listOf: Statement;
  readonly #count: Statement;
  readonly #counts: Statement;
  readonly #insert: Statement;
  readonly #update: Statement;
  readonly #delete: Statement;
  readonly #revisions: Statement;
  readonly #rowsOf: Statement;
  readonly #meta: Statement;
  readonly #setMeta: Statement;
  readonly #bump: Statement;

  constructor(store: Store) {
    this.store = store;
    const db = store.db;
    this.#get = db.prepare('SELECT * FROM gallery_persons WHERE id = ?');
    this.#list = db.prepare('SELECT id, list, enrolled_at, enrolled_by, updated_at FROM gallery_persons ORDER BY list, id');
    this.#listOf = db.prepare('SELECT id, list, enrolled_at, enrolled_by, updated_at FROM gallery_persons WHERE list = ? ORDER BY id');
    this.#count = db.prepare('SELECT count(*) AS n FROM gallery_persons');
    this.#counts = db.prepare('SELECT list, count(*) AS n FROM gallery_persons GROUP BY list');
    this.#insert = db.prepare(
      'INSERT INTO gallery_persons (id, list, enrolled_at, enrolled_by, updated_at, revision, details, embeddings) VALUES (@id, @list, @enrolledAt, @enrolledBy, @updatedAt, @revision, @details, @embeddings)',
    );
    this.#update = db.prepare('UPDATE gallery_persons SET list = @list, updated_at = @updatedAt, revision = @revision, details = @details, embeddings = @embeddings WHERE id = @id');
    this.#delete = db.prepare('DELETE FROM gallery_persons WHERE id = ?');
    this.#revisions = db.prepare('SELECT id, list, revision FROM gallery_persons');
    this.#rowsOf = db.prepare('SELECT * FROM gallery_persons WHERE list = ?');
    this.#meta = db.prepare('SELECT value FROM gallery_meta WHERE name = ?');
    this.#setMeta = db.prepare('INSERT INTO gallery_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value');
    this.#bump = db.prepare("INSERT INTO gallery_meta (name, value) VALUES ('revision', 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value");
  }

  get now(): number {
    return this.store.clock();
  }

  count(): number {
    return (this.#count.get() as { n: number }).n;
  }

  /** Persons per list. */
  counts(): Map<string, number> {
    return new Map((this.#counts.all() as { list: string; n: number }[]).map((row) => [row.list, row.n]));
  }

  list(list?: string): PersonRecord[] {
    return ((list === undefined ? this.#list.all() : this.#listOf.all(list)) as Row[]).map(record);
  }

  get(id: string): SealedPerson | undefined {
    const row = this.#get.get(id) as Row | undefined;
    return row === undefined ? undefined : sealed(row);
  }

  require(id: string): SealedPerson {
    const person = this.get(id);
    if (person === undefined) throw new HuxiaoError('GALLERY_UNKNOWN_PERSON', `no person "${id}" in the gallery`);
    return person;
  }

  /** The rows of a list, one at a time (the start-up load of 100,000 persons never holds all sealed rows at once). */
  *rows(list: string): Generator<SealedPerson> {
    for (const row of this.#rowsOf.iterate(list) as IterableIterator<Row>) yield sealed(row);
  }

  /** Id, list and revision of every row: what another process compares its index with. */
  revisions(): { id: string; list: string; revision: number }[] {
    return this.#revisions.all() as { id: string; list: string; revision: number }[];
  }

  /** The gallery's revision: bumped by every enrollment, change and removal. */
  revision(): number {
    return (this.meta('revision') as number | undefined) ?? 0;
  }

  meta(name: string): unknown {
    return (this.#meta.get(name) as { value: unknown } | undefined)?.value;
  }

  setMeta(name: string, value: Buffer | number): void {
    this.#setMeta.run(name, value);
  }

  /** Inserts a person and its audit row, inside the caller's durable transaction. */
  insert(person: SealedPerson, actor: Actor, detail: string): void {
    this.#insert.run(person);
    this.#audit('gallery.enroll', person.id, actor, detail);
  }

  /** Rewrites a person's row and adds its audit row, inside the caller's durable transaction. */
  update(person: SealedPerson, actor: Actor, detail: string): void {
    this.#update.run(person);
    this.#audit('gallery.change', person.id, actor, detail);
  }

  /** The next revision number, inside the caller's transaction. */
  nextRevision(): number {
    return (this.#bump.get() as { value: number }).value;
  }

  /**
   * Deletes a person for real: the row is zeroed in its pages (secure_delete, see Store), the removal audited, and the
   * WAL checkpointed and truncated so the old pages do not survive in the -wal file either.
   */
  remove(id: string, actor: Actor): Removal {
    const list = this.store.durable(() => {
      const person = this.require(id);
      this.#delete.run(id);
      this.nextRevision();
      this.#audit('gallery.remove', id, actor, `list ${person.list}`);
      return person.list;
    });
    return { id, list, wiped: this.wipeWal() };
  }

  /** Checkpoints and truncates the WAL; false when a reader kept part of it (it is then wiped at a later checkpoint). */
  wipeWal(): boolean {
    const [result] = this.store.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[];
    return result !== undefined && result.busy === 0 && result.log === result.checkpointed;
  }

  #audit(command: string, id: string, actor: Actor, detail: string): void {
    this.store.audit.record({ at: this.now, command, correlation: actor.correlation ?? null, outcome: 'ok', code: null, detail, actor: actor.by, subject: id });
  }
}
