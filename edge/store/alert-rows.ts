import type { Database, Statement } from 'better-sqlite3';
import type { Alert, AlertIdentity, AlertState, StateEventKind } from './alert.js';

interface AlertRow {
  id: string;
  seq: number;
  type: Alert['type'];
  severity: Alert['severity'];
  camera: string;
  zone: string;
  rule: string;
  track_id: number | null;
  label: string | null;
  score: number | null;
  box: string | null;
  details: string;
  source: string | null;
  cameras: string;
  first_seen_at: number;
  last_seen_at: number;
  decided_at: number;
  raised_at: number;
  count: number;
  state: AlertState;
  cleared_at: number | null;
  identity: string | null;
  has_snapshot: number;
  has_box: number;
}

export interface AlertStateRow {
  readonly event: StateEventKind;
  readonly state: AlertState;
  readonly at: number;
  readonly by: string | null;
  readonly note: string | null;
}

const OPEN = "state IN ('raised', 'acknowledged')";

/** The identity as the store keeps it: person id, list and score, never a name (the gallery has those). */
function identityColumn(identity: AlertIdentity | null): string | null {
  return identity === null ? null : JSON.stringify({ personId: identity.personId, list: identity.list, score: identity.score });
}
const COLUMNS = 'alerts.*, box IS NOT NULL AS has_box';

function toAlert(row: AlertRow, gateway: string): Alert {
  return {
    id: row.id,
    seq: row.seq,
    gateway,
    type: row.type,
    severity: row.severity,
    camera: row.camera,
    zone: row.zone,
    rule: row.rule,
    trackId: row.track_id,
    label: row.label,
    score: row.score,
    box: row.box === null ? null : (JSON.parse(row.box) as Alert['box']),
    details: JSON.parse(row.details) as Alert['details'],
    source: row.source,
    cameras: JSON.parse(row.cameras) as string[],
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    decidedAt: row.decided_at,
    raisedAt: row.raised_at,
    count: row.count,
    state: row.state,
    clearedAt: row.cleared_at,
    identity: row.identity === null ? null : (JSON.parse(row.identity) as AlertIdentity),
    snapshot: row.has_snapshot === 0 ? null : { crop: row.has_box !== 0 },
  };
}

/** Rows of the alerts and alert_states tables. Callers wrap writes in Store.durable(). */
export class AlertRows {
  readonly #insert: Statement;
  readonly #update: Statement;
  readonly #get: Statement;
  readonly #repeat: Statement;
  readonly #uncleared: Statement;
  readonly #due: Statement;
  readonly #nextSeq: Statement;
  readonly #addState: Statement;
  readonly #states: Statement;
  readonly #count: Statement;
  readonly #recent: Statement;

  constructor(db: Database) {
    this.#insert = db.prepare(`INSERT INTO alerts (id, seq, type, severity, camera, zone, rule, track_id, label, score, box, details, source, cameras,
      first_seen_at, last_seen_at, decided_at, raised_at, count, state, cleared_at, identity, has_snapshot, updated_at)
      VALUES (@id, @seq, @type, @severity, @camera, @zone, @rule, @trackId, @label, @score, @box, @details, @source, @cameras,
      @firstSeenAt, @lastSeenAt, @decidedAt, @raisedAt, @count, @state, @clearedAt, @identity, @hasSnapshot, @raisedAt)`);
    this.#update = db.prepare(
      'UPDATE alerts SET count = @count, last_seen_at = @lastSeenAt, state = @state, cleared_at = @clearedAt, identity = @identity, updated_at = @updatedAt WHERE id = @id',
    );
    this.#get = db.prepare(`SELECT ${COLUMNS} FROM alerts WHERE id = ?`);
    this.#repeat = db.prepare(
      `SELECT ${COLUMNS} FROM alerts WHERE rule = ? AND camera = ? AND track_id IS ? AND decided_at >= ? AND ${OPEN} ORDER BY decided_at DESC LIMIT 1`,
    );
    this.#uncleared = db.prepare(`SELECT ${COLUMNS} FROM alerts WHERE rule = ? AND camera = ? AND track_id IS ? AND cleared_at IS NULL AND ${OPEN} ORDER BY seq`);
    this.#due = db.prepare(`SELECT ${COLUMNS} FROM alerts WHERE ${OPEN} AND raised_at <= ? ORDER BY seq LIMIT 500`);
    this.#nextSeq = db.prepare("UPDATE counters SET value = value + 1 WHERE name = 'alert_seq' RETURNING value");
    this.#addState = db.prepare('INSERT INTO alert_states (alert_id, event, state, at, by, note) VALUES (?, ?, ?, ?, ?, ?)');
    this.#states = db.prepare('SELECT event, state, at, by, note FROM alert_states WHERE alert_id = ? ORDER BY id');
    this.#count = db.prepare('SELECT count(*) AS n FROM alerts');
    this.#recent = db.prepare(`SELECT ${COLUMNS} FROM alerts ORDER BY seq DESC LIMIT ?`);
  }

  /** Next per-gateway seq; a counter, not max(seq)+1, so it never goes back when retention deletes the newest rows. */
  nextSeq(): number {
    return (this.#nextSeq.get() as { value: number }).value;
  }

  insert(alert: Alert): void {
    this.#insert.run({
      ...alert,
      box: alert.box === null ? null : JSON.stringify(alert.box),
      details: JSON.stringify(alert.details),
      cameras: JSON.stringify(alert.cameras),
      identity: identityColumn(alert.identity),
      hasSnapshot: alert.snapshot === null ? 0 : 1,
    });
  }

  update(alert: Alert, updatedAt: number): void {
    this.#update.run({ id: alert.id, count: alert.count, lastSeenAt: alert.lastSeenAt, state: alert.state, clearedAt: alert.clearedAt, identity: identityColumn(alert.identity), updatedAt });
  }

  get(id: string, gateway: string): Alert | undefined {
    const row = this.#get.get(id) as AlertRow | undefined;
    return row === undefined ? undefined : toAlert(row, gateway);
  }

  /** The open alert of this rule, camera and track decided at or after `since`, if any. */
  findRepeat(key: { rule: string; camera: string; trackId: number | null }, since: number, gateway: string): Alert | undefined {
    const row = this.#repeat.get(key.rule, key.camera, key.trackId, since) as AlertRow | undefined;
    return row === undefined ? undefined : toAlert(row, gateway);
  }

  uncleared(key: { rule: string; camera: string; trackId: number | null }, gateway: string): Alert[] {
    return (this.#uncleared.all(key.rule, key.camera, key.trackId) as AlertRow[]).map((row) => toAlert(row, gateway));
  }

  /** Open alerts raised at or before `raisedBefore`, oldest first, at most 500 per call. */
  dueForExpiry(raisedBefore: number, gateway: string): Alert[] {
    return (this.#due.all(raisedBefore) as AlertRow[]).map((row) => toAlert(row, gateway));
  }

  addState(alertId: string, change: AlertStateRow): void {
    this.#addState.run(alertId, change.event, change.state, change.at, change.by, change.note);
  }

  states(alertId: string): AlertStateRow[] {
    return this.#states.all(alertId) as AlertStateRow[];
  }

  /** The newest alerts, newest first. */
  recent(limit: number, gateway: string): Alert[] {
    return (this.#recent.all(limit) as AlertRow[]).map((row) => toAlert(row, gateway));
  }

  count(): number {
    return (this.#count.get() as { n: number }).n;
  }
}
