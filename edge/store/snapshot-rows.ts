import type { Database, Statement } from 'better-sqlite3';

export type SnapshotKind = 'frame' | 'crop';

export interface SnapshotRecord {
  readonly alertId: string;
  readonly camera: string;
  readonly kind: SnapshotKind;
  /** Path relative to the snapshots directory. */
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly width: number;
  readonly height: number;
  readonly createdAt: number;
}

export interface StoredSnapshot extends SnapshotRecord {
  readonly id: number;
}

interface SnapshotRow {
  id: number;
  alert_id: string;
  camera: string;
  kind: SnapshotKind;
  path: string;
  bytes: number;
  sha256: string;
  width: number;
  height: number;
  created_at: number;
}

function fromRow(row: SnapshotRow): StoredSnapshot {
  return {
    id: row.id,
    alertId: row.alert_id,
    camera: row.camera,
    kind: row.kind,
    path: row.path,
    bytes: row.bytes,
    sha256: row.sha256,
    width: row.width,
    height: row.height,
    createdAt: row.created_at,
  };
}

export class SnapshotRows {
  readonly #insert: Statement;
  readonly #forAlert: Statement;
  readonly #oldest: Statement;
  readonly #delete: Statement;
  readonly #total: Statement;

  constructor(db: Database) {
    this.#insert = db.prepare(
      'INSERT INTO snapshots (alert_id, camera, kind, path, bytes, sha256, width, height, created_at) VALUES (@alertId, @camera, @kind, @path, @bytes, @sha256, @width, @height, @createdAt)',
    );
    this.#forAlert = db.prepare('SELECT * FROM snapshots WHERE alert_id = ? ORDER BY id');
    this.#oldest = db.prepare('SELECT * FROM snapshots WHERE created_at <= ? ORDER BY id LIMIT ?');
    this.#delete = db.prepare('DELETE FROM snapshots WHERE id = ?');
    this.#total = db.prepare('SELECT coalesce(sum(bytes), 0) AS n FROM snapshots');
  }

  insert(record: SnapshotRecord): number {
    return Number(this.#insert.run(record).lastInsertRowid);
  }

  forAlert(alertId: string): StoredSnapshot[] {
    return (this.#forAlert.all(alertId) as SnapshotRow[]).map(fromRow);
  }

  /** Oldest first, created at or before `before`. */
  oldest(before: number, limit: number): StoredSnapshot[] {
    return (this.#oldest.all(before, limit) as SnapshotRow[]).map(fromRow);
  }

  delete(id: number): void {
    this.#delete.run(id);
  }

  totalBytes(): number {
    return (this.#total.get() as { n: number }).n;
  }
}
