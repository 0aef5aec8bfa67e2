import type { Database } from 'better-sqlite3';
import { HuxiaoError } from '../errors.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * Forward-only: a released migration is never edited, a change is a new entry with the next version.
 * PRAGMA user_version holds the applied version (atomic with the migration's transaction);
 * schema_migrations keeps when each one ran, for support.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'alerts, alert_states, outbox, snapshots, audit',
    sql: `
      CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
      CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      INSERT INTO counters (name, value) VALUES ('alert_seq', 0);
      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        type TEXT NOT NULL,
        severity TEXT NOT NULL,
        camera TEXT NOT NULL,
        zone TEXT NOT NULL,
        rule TEXT NOT NULL,
        track_id INTEGER,
        label TEXT,
        score REAL,
        box TEXT,
        details TEXT NOT NULL,
        source TEXT,
        cameras TEXT NOT NULL,
        first_seen_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        decided_at INTEGER NOT NULL,
        raised_at INTEGER NOT NULL,
        count INTEGER NOT NULL,
        state TEXT NOT NULL,
        cleared_at INTEGER,
        identity TEXT,
        has_snapshot INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX alerts_repeat ON alerts (rule, camera, track_id, decided_at);
      CREATE INDEX alerts_open ON alerts (state, raised_at);
      CREATE TABLE alert_states (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
        event TEXT NOT NULL,
        state TEXT NOT NULL,
        at INTEGER NOT NULL,
        by TEXT,
        note TEXT
      );
      CREATE INDEX alert_states_alert ON alert_states (alert_id);
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        lane INTEGER NOT NULL,
        topic TEXT NOT NULL,
        payload BLOB,
        file TEXT,
        properties TEXT,
        alert_id TEXT REFERENCES alerts (id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        delivered_at INTEGER
      );
      CREATE INDEX outbox_pending ON outbox (lane, id) WHERE delivered_at IS NULL;
      CREATE INDEX outbox_alert ON outbox (alert_id);
      CREATE TABLE snapshots (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
        camera TEXT NOT NULL,
        kind TEXT NOT NULL,
        path TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX snapshots_alert ON snapshots (alert_id);
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        command TEXT NOT NULL,
        correlation TEXT,
        outcome TEXT NOT NULL,
        code TEXT,
        detail TEXT
      );
    `,
  },
  {
    version: 2,
    name: 'gallery_meta, gallery_persons; audit actor and subject',
    // Only the person id, the list and the enrollment times and operator are plaintext: they are what listing,
    // filtering by list, removal without the key and the audit need. Names, classes, schools, consent references and
    // embeddings are sealed (AES-256-GCM, edge/identity/gallery-crypto.ts) with a key kept outside this file.
    sql: `
      ALTER TABLE audit ADD COLUMN actor TEXT;
      ALTER TABLE audit ADD COLUMN subject TEXT;
      CREATE TABLE gallery_meta (name TEXT PRIMARY KEY, value NOT NULL);
      CREATE TABLE gallery_persons (
        id TEXT PRIMARY KEY,
        list TEXT NOT NULL,
        enrolled_at INTEGER NOT NULL,
        enrolled_by TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        details BLOB NOT NULL,
        embeddings BLOB NOT NULL
      );
      CREATE INDEX gallery_persons_list ON gallery_persons (list);
    `,
  },
  {
    version: 3,
    name: 'outbox keeps messages by kind, not MQTT topics and payloads',
    // The uplink alone knows the wire format now: a row holds the message kind and its data (the alert record, the
    // state change, the picture), and the uplink builds topic and payload when it publishes. Rows of version 2 are
    // converted in place, keeping their id and delivered mark, so an upgraded box sends its backlog exactly once and
    // with the same topics and payloads. Version 2 wrote only these four topics, each for the row's alert_id:
    // `alerts` (the alert payload: drop `schema`; the picture topics become which pictures follow),
    // `alerts/<id>/state` (the state payload: drop `schema`), `alerts/<id>/snapshot` and `alerts/<id>/crop` (a picture
    // file; its sha256 and camera were MQTT user properties). The payload is read as text: SQLite takes a BLOB for JSONB.
    sql: `
      CREATE TABLE outbox_v3 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        lane INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('alert', 'alert-state', 'snapshot')),
        alert_id TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
        data TEXT NOT NULL CHECK (json_valid(data)),
        created_at INTEGER NOT NULL,
        delivered_at INTEGER
      );
      INSERT INTO outbox_v3 (id, lane, kind, alert_id, data, created_at, delivered_at)
      SELECT id, lane,
        CASE
          WHEN topic = 'alerts' THEN 'alert'
          WHEN topic = 'alerts/' || alert_id || '/state' THEN 'alert-state'
          WHEN topic IN ('alerts/' || alert_id || '/snapshot', 'alerts/' || alert_id || '/crop') THEN 'snapshot'
        END,
        alert_id,
        CASE
          WHEN topic = 'alerts' THEN json_set(
            json_remove(CAST(payload AS TEXT), '$.schema'),
            '$.snapshot',
            CASE WHEN json_type(CAST(payload AS TEXT), '$.snapshot') = 'object'
              THEN json_object('crop', json(CASE WHEN json_type(CAST(payload AS TEXT), '$.snapshot.cropTopic') = 'text' THEN 'true' ELSE 'false' END))
              ELSE json('null')
            END)
          WHEN topic = 'alerts/' || alert_id || '/state' THEN json_remove(CAST(payload AS TEXT), '$.schema')
          ELSE json_object(
            'alertId', alert_id,
            'kind', CASE WHEN topic LIKE '%/crop' THEN 'crop' ELSE 'frame' END,
            'camera', json_extract(properties, '$.camera'),
            'path', file,
            'sha256', json_extract(properties, '$.sha256'))
        END,
        created_at, delivered_at
      FROM outbox ORDER BY id;
      UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = 'outbox') WHERE name = 'outbox_v3';
      DROP TABLE outbox;
      ALTER TABLE outbox_v3 RENAME TO outbox;
      CREATE INDEX outbox_pending ON outbox (lane, id) WHERE delivered_at IS NULL;
      CREATE INDEX outbox_alert ON outbox (alert_id);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.reduce((max, migration) => Math.max(max, migration.version), 0);

/** Brings the database to SCHEMA_VERSION; returns the versions applied. A database from a newer release is refused. */
export function migrate(db: Database, path: string, now: () => number): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new HuxiaoError('STORE_VERSION', `${path}: store schema version ${current} is newer than this release knows (${SCHEMA_VERSION})`);
  }
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, now());
      db.pragma(`user_version = ${String(migration.version)}`);
    })();
    applied.push(migration.version);
  }
  return applied;
}
