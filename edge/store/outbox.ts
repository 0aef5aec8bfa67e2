import type { Database, Statement } from 'better-sqlite3';

/**
 * Lanes drain in this order; within a lane, entries go out in the order they were committed (outbox id, which follows
 * alert seq because both are assigned in the same transaction).
 */
export const LANES = { emergency: 0, normal: 1 } as const;
export type Lane = (typeof LANES)[keyof typeof LANES];

export interface OutboxEntryInput {
  readonly lane: Lane;
  /** Relative topic from edge/uplink/topics.ts. */
  readonly topic: string;
  /** JSON text or bytes; or `file` for a picture read when it is published. */
  readonly payload?: string | Buffer;
  readonly file?: string;
  /** MQTT 5 user properties (sha256 of a picture...). */
  readonly properties?: Readonly<Record<string, string>>;
  readonly alertId?: string;
}

export interface OutboxEntry {
  readonly id: number;
  readonly lane: Lane;
  readonly topic: string;
  readonly payload: Buffer | null;
  readonly file: string | null;
  readonly properties: Record<string, string> | null;
  readonly alertId: string | null;
  readonly createdAt: number;
}

interface OutboxRow {
  id: number;
  lane: Lane;
  topic: string;
  payload: Buffer | null;
  file: string | null;
  properties: string | null;
  alert_id: string | null;
  created_at: number;
}

/** The durable queue between the alert stage and the uplink. Entries are never deleted undelivered except by the hard quota. */
export class Outbox {
  readonly #insert: Statement;
  readonly #pending: Statement;
  readonly #delivered: Statement;
  readonly #depth: Statement;
  readonly #oldest: Statement;
  readonly #listeners = new Set<() => void>();

  constructor(db: Database) {
    this.#insert = db.prepare('INSERT INTO outbox (lane, topic, payload, file, properties, alert_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.#pending = db.prepare('SELECT * FROM outbox WHERE lane = ? AND id > ? AND delivered_at IS NULL ORDER BY id LIMIT ?');
    this.#delivered = db.prepare('UPDATE outbox SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL');
    this.#depth = db.prepare('SELECT lane, count(*) AS n FROM outbox WHERE delivered_at IS NULL GROUP BY lane');
    this.#oldest = db.prepare('SELECT created_at FROM outbox WHERE lane = ? AND delivered_at IS NULL ORDER BY id LIMIT 1');
  }

  /** Adds an entry inside the caller's transaction; call notify() after the commit. */
  enqueue(entry: OutboxEntryInput, at: number): number {
    const payload = typeof entry.payload === 'string' ? Buffer.from(entry.payload, 'utf8') : (entry.payload ?? null);
    const properties = entry.properties === undefined ? null : JSON.stringify(entry.properties);
    return Number(this.#insert.run(entry.lane, entry.topic, payload, entry.file ?? null, properties, entry.alertId ?? null, at).lastInsertRowid);
  }

  /** Undelivered entries of one lane with id above `afterId`, in commit order. */
  pending(lane: Lane, afterId: number, limit: number): OutboxEntry[] {
    return (this.#pending.all(lane, afterId, limit) as OutboxRow[]).map((row) => ({
      id: row.id,
      lane: row.lane,
      topic: row.topic,
      payload: row.payload,
      file: row.file,
      properties: row.properties === null ? null : (JSON.parse(row.properties) as Record<string, string>),
      alertId: row.alert_id,
      createdAt: row.created_at,
    }));
  }

  /** Marks entries delivered; the caller runs it inside Store.relaxed() once the broker acknowledged them. */
  markDelivered(ids: readonly number[], at: number): void {
    for (const id of ids) this.#delivered.run(at, id);
  }

  depth(): { depth: number; emergencyDepth: number } {
    let depth = 0;
    let emergencyDepth = 0;
    for (const row of this.#depth.all() as { lane: Lane; n: number }[]) {
      depth += row.n;
      if (row.lane === LANES.emergency) emergencyDepth += row.n;
    }
    return { depth, emergencyDepth };
  }

  /** When the oldest undelivered entry of a lane was committed (ms), undefined when the lane is drained. */
  oldestPendingAt(lane: Lane): number | undefined {
    return (this.#oldest.get(lane) as { created_at: number } | undefined)?.created_at;
  }

  /** Subscribes to "new entries committed"; returns the unsubscribe function. */
  onEnqueued(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  notify(): void {
    for (const listener of this.#listeners) listener();
  }
}
