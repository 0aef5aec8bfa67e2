import type { Database, Statement } from 'better-sqlite3';
import type { Alert, AlertIdentity, AlertState, StateEventKind } from './alert.js';
import type { SnapshotKind } from './snapshot-rows.js';

/**
 * Lanes drain in this order; within a lane, entries go out in the order they were committed (outbox id, which follows
 * alert seq because both are assigned in the same transaction).
 */
export const LANES = { emergency: 0, normal: 1 } as const;
export type Lane = (typeof LANES)[keyof typeof LANES];

/** A change of an alert after it was raised, with the figures of the alert as they were when it was committed. */
export interface AlertChange {
  readonly id: string;
  readonly seq: number;
  readonly event: Exclude<StateEventKind, 'raised'>;
  readonly state: AlertState;
  readonly at: number;
  /** Who acknowledged or resolved; null for the gateway's own events. */
  readonly by: string | null;
  readonly note: string | null;
  readonly count: number;
  readonly lastSeenAt: number;
  readonly clearedAt: number | null;
  /**
   * Person id, list and score, never a name: the uplink adds names when it sends the change. Absent in changes
   * stored before identities (store schema 2, converted by migration 3): the same as null.
   */
  readonly identity?: AlertIdentity | null;
}

/** A picture of an alert, read from its file when it is sent. */
export interface AlertPicture {
  readonly alertId: string;
  readonly kind: SnapshotKind;
  readonly camera: string;
  /** Path relative to the snapshots directory. */
  readonly path: string;
  readonly sha256: string;
}

/** What the centre is to be told, in the gateway's terms; the uplink alone turns it into a topic and a payload. */
export type OutboxMessage =
  | { readonly kind: 'alert'; readonly alert: Alert }
  | { readonly kind: 'alert-state'; readonly change: AlertChange }
  | { readonly kind: 'snapshot'; readonly picture: AlertPicture };
type OutboxKind = OutboxMessage['kind'];

export interface OutboxEntry {
  readonly id: number;
  readonly lane: Lane;
  readonly message: OutboxMessage;
  readonly alertId: string;
  readonly createdAt: number;
}

interface OutboxRow {
  id: number;
  lane: Lane;
  kind: OutboxKind;
  alert_id: string;
  data: string;
  created_at: number;
}

function alertIdOf(message: OutboxMessage): string {
  switch (message.kind) {
    case 'alert':
      return message.alert.id;
    case 'alert-state':
      return message.change.id;
    case 'snapshot':
      return message.picture.alertId;
  }
}

function dataOf(message: OutboxMessage): unknown {
  switch (message.kind) {
    case 'alert':
      return message.alert;
    case 'alert-state':
      return message.change;
    case 'snapshot':
      return message.picture;
  }
}

/** The stored JSON is what enqueue() wrote (or migration 3 converted); the uplink checks each payload it builds from it. */
function messageOf(row: OutboxRow): OutboxMessage {
  switch (row.kind) {
    case 'alert':
      return { kind: 'alert', alert: JSON.parse(row.data) as Alert };
    case 'alert-state':
      return { kind: 'alert-state', change: JSON.parse(row.data) as AlertChange };
    case 'snapshot':
      return { kind: 'snapshot', picture: JSON.parse(row.data) as AlertPicture };
  }
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
    this.#insert = db.prepare('INSERT INTO outbox (lane, kind, alert_id, data, created_at) VALUES (?, ?, ?, ?, ?)');
    this.#pending = db.prepare('SELECT id, lane, kind, alert_id, data, created_at FROM outbox WHERE lane = ? AND id > ? AND delivered_at IS NULL ORDER BY id LIMIT ?');
    this.#delivered = db.prepare('UPDATE outbox SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL');
    this.#depth = db.prepare('SELECT lane, count(*) AS n FROM outbox WHERE delivered_at IS NULL GROUP BY lane');
    this.#oldest = db.prepare('SELECT created_at FROM outbox WHERE lane = ? AND delivered_at IS NULL ORDER BY id LIMIT 1');
  }

  /** Adds an entry inside the caller's transaction; call notify() after the commit. */
  enqueue(lane: Lane, message: OutboxMessage, at: number): number {
    return Number(this.#insert.run(lane, message.kind, alertIdOf(message), JSON.stringify(dataOf(message)), at).lastInsertRowid);
  }

  /** Undelivered entries of one lane with id above `afterId`, in commit order. */
  pending(lane: Lane, afterId: number, limit: number): OutboxEntry[] {
    return (this.#pending.all(lane, afterId, limit) as OutboxRow[]).map((row) => ({
      id: row.id,
      lane: row.lane,
      message: messageOf(row),
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
