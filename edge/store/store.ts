import { existsSync, statSync } from 'node:fs';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { HuxiaoError } from '../errors.js';
import { moduleLogger } from '../log.js';
import { AlertRows } from './alert-rows.js';
import { AuditLog } from './audit.js';
import { migrate, SCHEMA_VERSION } from './migrations.js';
import { Outbox } from './outbox.js';
import { SnapshotRows } from './snapshot-rows.js';

export interface StoreOptions {
  /** SQLite file; created with the schema when missing. */
  readonly path: string;
  /** Wall clock, ms; injectable for tests. */
  readonly clock?: () => number;
}

interface Open {
  readonly db: Database;
  readonly alerts: AlertRows;
  readonly outbox: Outbox;
  readonly snapshots: SnapshotRows;
  readonly audit: AuditLog;
}

const log = moduleLogger('store');
/** How long a write waits for another connection (a CLI command on the same file) to release the lock. */
const BUSY_TIMEOUT_MS = 5000;

/** SQLite result codes that mean the file is not a sound database. */
const CORRUPT_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_VTAB', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_INDEX']);

export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'SQLITE_IOERR_WRITE';
}

/**
 * The SQLite store. Durability per table:
 * - alerts, alert_states, outbox inserts, audit: WAL with synchronous=FULL, so a commit is on disk before raise() returns
 *   and before anything is spoken or published (the write-ahead promise to the centre).
 * - outbox delivered marks and snapshot rows: written through relaxed() (synchronous=NORMAL). Losing the last of them in
 *   a power cut only means a redelivery by id (the centre dedups) or an orphan picture file retention removes.
 * Both run on one connection: the pragma is switched between transactions, and the next FULL commit syncs the WAL anyway.
 */
export class Store {
  readonly options: StoreOptions;
  #open: Open | undefined;

  constructor(options: StoreOptions) {
    this.options = options;
  }

  /** Opens the file, checks it, and migrates it. A damaged file is reported (STORE_CORRUPT), never recreated. */
  start(): void {
    const { path } = this.options;
    const existed = existsSync(path);
    let db: Database;
    try {
      db = new BetterSqlite3(path);
    } catch (error) {
      throw corruptOrRethrow(error, path);
    }
    try {
      this.#check(db, existed);
      // Only takes effect before the file's first page is written (journal_mode = WAL writes it): lets deleted pages go
      // back to the file system, so eviction shows in the quota accounting.
      if (!existed) db.pragma('auto_vacuum = INCREMENTAL');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma(`busy_timeout = ${String(BUSY_TIMEOUT_MS)}`);
      // Deleted rows are overwritten with zeros, in their page and in freed overflow pages, so a removed gallery person
      // leaves no ciphertext behind in the file (the gallery then checkpoints the WAL; see gallery/gallery.ts).
      // Per connection, so set on every open; the extra writes are those of deletions only.
      db.pragma('secure_delete = ON');
      // The WAL counts against the quota: checkpoint at 1 MiB (not the default 4) and truncate it back to that size.
      db.pragma('wal_autocheckpoint = 256');
      db.pragma('journal_size_limit = 1048576');
      const applied = migrate(db, path, this.clock);
      if (applied.length > 0) log.info({ path, applied, version: SCHEMA_VERSION }, 'store migrated');
    } catch (error) {
      db.close();
      throw corruptOrRethrow(error, path);
    }
    this.#open = { db, alerts: new AlertRows(db), outbox: new Outbox(db), snapshots: new SnapshotRows(db), audit: new AuditLog(db) };
  }

  stop(): void {
    const open = this.#open;
    if (open === undefined) return;
    this.#open = undefined;
    try {
      open.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (error) {
      // Another process reading the file keeps the WAL busy; SQLite checkpoints on the next open instead.
      log.warn({ err: error }, 'WAL not checkpointed at close');
    } finally {
      open.db.close();
    }
  }

  get clock(): () => number {
    return this.options.clock ?? Date.now;
  }

  get db(): Database {
    return this.#require().db;
  }
  get alerts(): AlertRows {
    return this.#require().alerts;
  }
  get outbox(): Outbox {
    return this.#require().outbox;
  }
  get snapshots(): SnapshotRows {
    return this.#require().snapshots;
  }
  get audit(): AuditLog {
    return this.#require().audit;
  }

  /** One transaction committed with synchronous=FULL. */
  durable<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  /** One transaction committed with synchronous=NORMAL; see the class comment for which writes may use it. */
  relaxed<T>(work: () => T): T {
    const db = this.db;
    db.pragma('synchronous = NORMAL');
    try {
      return db.transaction(work)();
    } finally {
      db.pragma('synchronous = FULL');
    }
  }

  /** Bytes the database files take on disk right now (main file + WAL). */
  fileBytes(): number {
    this.#require();
    return fileSize(this.options.path) + fileSize(`${this.options.path}-wal`);
  }

  /**
   * Takes the write lock and lets it go at once (BEGIN IMMEDIATE; ROLLBACK): no page is written, yet it fails as the
   * next alert would when another process holds the lock or the connection is broken. It never waits, so the health
   * check cannot stall the event loop for the busy timeout.
   */
  probeWrite(): void {
    const db = this.db;
    db.pragma('busy_timeout = 0');
    try {
      db.exec('BEGIN IMMEDIATE');
      db.exec('ROLLBACK');
    } finally {
      db.pragma(`busy_timeout = ${String(BUSY_TIMEOUT_MS)}`);
    }
  }

  /** Hands freed pages back to the file system and empties the WAL, so deletions show up in fileBytes(). */
  compact(): void {
    this.db.pragma('incremental_vacuum');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  #check(db: Database, existed: boolean): void {
    if (!existed) return;
    const result = db.pragma('quick_check', { simple: true }) as string;
    if (result !== 'ok') throw new HuxiaoError('STORE_CORRUPT', `${this.options.path}: integrity check failed: ${result}`);
    const version = db.pragma('user_version', { simple: true }) as number;
    const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
    if (version === 0 && tables > 0) throw new HuxiaoError('STORE_CORRUPT', `${this.options.path}: is an SQLite file but not a Huxiao store (no schema version, ${tables} foreign tables)`);
  }

  #require(): Open {
    if (this.#open === undefined) throw new Error('Store used before start() or after stop()');
    return this.#open;
  }
}

function corruptOrRethrow(error: unknown, path: string): unknown {
  if (error instanceof HuxiaoError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CORRUPT_CODES.has(code)) {
    return new HuxiaoError('STORE_CORRUPT', `${path}: not a readable SQLite database (${code}); move it aside to start a fresh store`, { cause: error });
  }
  return error;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
