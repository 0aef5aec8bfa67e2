import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import sharp from 'sharp';
import { MIGRATIONS } from '../../edge/store/migrations.js';
import { LANES, type Lane } from '../../edge/store/outbox.js';
import { testImage } from './rule-hits.js';

/** A message as the centre receives it: relative topic, payload bytes and the MQTT 5 properties that matter. */
export interface WireExpectation {
  readonly topic: string;
  readonly payload: Buffer;
  readonly userProperties?: Readonly<Record<string, string>>;
  readonly contentType?: string;
}

export interface Version2Store {
  /** What the backlog must deliver, in the order the drain sends it (emergency lane first, then by id), as this release sends it. */
  readonly expected: readonly WireExpectation[];
  /** Outbox ids of the rows, all lanes, and the one already delivered. */
  readonly ids: readonly number[];
  readonly deliveredId: number;
  /** The outbox id counter of the old file (above the highest row: retention deleted the newest rows). */
  readonly sequence: number;
}

const A = '01MCC5RM00PD1E2SXTF23MBVH9';
const B = '01MCC5RM00PD1E2SXTF23MBVHA';
const C = '01MCC5RM00PD1E2SXTF23MBVHB';
const E = '01MCC5RNYGVP0PAEBTA77MV615';

/*
 * Payloads exactly as release 0.1 (store schema 2) committed them: alert-service.ts validated and serialized them, with
 * `schema` last in an alert and first in a state change. B's details are the awkward cases for a JSON round trip.
 */
const ALERT_A = `{"id":"${A}","seq":1,"gateway":"gw-up","type":"intrusion","severity":"critical","camera":"pond-east","zone":"water","rule":"pond-fence","trackId":7,"label":"person","score":0.91,"box":{"x1":100,"y1":80,"x2":180,"y2":260},"details":{"dwellSeconds":1},"source":null,"cameras":["pond-east"],"firstSeenAt":1700000000000,"lastSeenAt":1700000001000,"decidedAt":1700000001000,"raisedAt":1800000000000,"count":1,"state":"raised","clearedAt":null,"identity":null,"snapshot":{"topic":"alerts/${A}/snapshot","cropTopic":"alerts/${A}/crop"},"schema":1}`;
const ALERT_B = `{"id":"${B}","seq":2,"gateway":"gw-up","type":"intrusion","severity":"critical","camera":"pond-east","zone":"water","rule":"pond-fence","trackId":9,"label":"person","score":0.30000000000000004,"box":{"x1":100.5,"y1":80,"x2":180,"y2":260},"details":{"note":"水边 \\"q\\"\\n","n":1e+21,"ok":true},"source":null,"cameras":["pond-east"],"firstSeenAt":1700000000000,"lastSeenAt":1700000001000,"decidedAt":1700000001000,"raisedAt":1800000000000,"count":1,"state":"raised","clearedAt":null,"identity":null,"snapshot":null,"schema":1}`;
const ALERT_C = `{"id":"${C}","seq":3,"gateway":"gw-up","type":"dwell","severity":"warning","camera":"gate","zone":"gate","rule":"gate-dwell","trackId":3,"label":"person","score":0.7,"box":{"x1":1,"y1":2,"x2":3,"y2":4},"details":{"dwellSeconds":61},"source":null,"cameras":["gate"],"firstSeenAt":1699999990000,"lastSeenAt":1700000000000,"decidedAt":1700000000000,"raisedAt":1799999990000,"count":1,"state":"raised","clearedAt":null,"identity":null,"snapshot":null,"schema":1}`;
const ALERT_E = `{"id":"${E}","seq":4,"gateway":"gw-up","type":"emergency","severity":"emergency","camera":"gate","zone":"gate-button","rule":"emergency-button","trackId":null,"label":null,"score":null,"box":null,"details":{},"source":"gate-button","cameras":["gate","yard"],"firstSeenAt":1800000002000,"lastSeenAt":1800000002000,"decidedAt":1800000002000,"raisedAt":1800000002000,"count":1,"state":"raised","clearedAt":null,"identity":null,"snapshot":{"topic":"alerts/${E}/snapshot","cropTopic":null},"schema":1}`;
const STATE_A = `{"schema":1,"id":"${A}","seq":1,"event":"acknowledged","state":"acknowledged","at":1800000001000,"by":"duty officer Li","note":"on my way","count":1,"lastSeenAt":1700000001000,"clearedAt":null}`;
const STATE_B = `{"schema":1,"id":"${B}","seq":2,"event":"cleared","state":"raised","at":1800000001000,"by":null,"note":null,"count":1,"lastSeenAt":1700000001000,"clearedAt":5000}`;

/*
 * What this release publishes for those rows, byte for byte: the alert payloads are at version 2 since the identity
 * (docs/mqtt.md), and a row of release 0.1 goes out at the version of the release that sends it, as the uplink
 * builds every payload when it sends it. Version 2 of a release 0.1 alert differs only in `schema` (its `identity`
 * was null already); a state change gains `"identity":null`, its last field.
 */
const sentAlert = (payload: string): string => payload.replace('"schema":1', '"schema":2');
const sentState = (payload: string): string => sentAlert(payload).replace(/}$/, ',"identity":null}');

function alertRow(payload: string): Record<string, unknown> {
  const alert = JSON.parse(payload) as Record<string, unknown> & { snapshot: unknown; box: unknown };
  return {
    ...alert,
    box: alert.box === null ? null : JSON.stringify(alert.box),
    details: JSON.stringify(alert.details),
    cameras: JSON.stringify(alert.cameras),
    hasSnapshot: alert.snapshot === null ? 0 : 1,
  };
}

async function jpeg(width: number, height: number): Promise<{ data: Buffer; sha256: string }> {
  const image = testImage(width, height);
  const data = await sharp(image.data, { raw: { width, height, channels: 3 } }).jpeg({ quality: 80 }).toBuffer();
  return { data, sha256: createHash('sha256').update(data).digest('hex') };
}

/**
 * Writes a store as release 0.1 left it (schema version 2) with an undelivered backlog: alerts, state changes and
 * pictures on MQTT topics, one alert already delivered (the first row); and the picture files in `snapshotsDir`.
 */
export async function createVersion2Store(path: string, snapshotsDir: string): Promise<Version2Store> {
  const db = new BetterSqlite3(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    for (const migration of MIGRATIONS.filter((m) => m.version <= 2)) {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, 1_799_000_000_000);
    }
    db.pragma('user_version = 2');
    const insertAlert = db.prepare(`INSERT INTO alerts (id, seq, type, severity, camera, zone, rule, track_id, label, score, box, details, source, cameras,
      first_seen_at, last_seen_at, decided_at, raised_at, count, state, cleared_at, identity, has_snapshot, updated_at)
      VALUES (@id, @seq, @type, @severity, @camera, @zone, @rule, @trackId, @label, @score, @box, @details, @source, @cameras,
      @firstSeenAt, @lastSeenAt, @decidedAt, @raisedAt, @count, @state, @clearedAt, NULL, @hasSnapshot, @raisedAt)`);
    for (const payload of [ALERT_C, ALERT_A, ALERT_B, ALERT_E]) insertAlert.run(alertRow(payload));
    db.prepare("UPDATE counters SET value = 4 WHERE name = 'alert_seq'").run();

    const frame = await jpeg(320, 240);
    const crop = await jpeg(120, 205);
    const gate = await jpeg(64, 48);
    const files = { frame: `2027-01-15/${A}-pond-east-frame.jpg`, crop: `2027-01-15/${A}-pond-east-crop.jpg`, gate: `2027-01-15/${E}-gate-frame.jpg` };
    for (const [file, picture] of [[files.frame, frame], [files.crop, crop], [files.gate, gate]] as const) {
      mkdirSync(dirname(join(snapshotsDir, file)), { recursive: true });
      writeFileSync(join(snapshotsDir, file), picture.data);
    }
    const pictureProperties = (sha256: string, camera: string): string => JSON.stringify({ sha256, camera, contentType: 'image/jpeg' });

    const insert = db.prepare('INSERT INTO outbox (lane, topic, payload, file, properties, alert_id, created_at, delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const row = (lane: Lane, topic: string, alertId: string, body: { payload?: string; file?: string; properties?: string }, deliveredAt: number | null = null): number =>
      Number(insert.run(lane, topic, body.payload === undefined ? null : Buffer.from(body.payload, 'utf8'), body.file ?? null, body.properties ?? null, alertId, 1_800_000_000_000, deliveredAt).lastInsertRowid);
    const ids = [
      row(LANES.normal, 'alerts', C, { payload: ALERT_C }, 1_800_000_000_500),
      row(LANES.normal, 'alerts', A, { payload: ALERT_A }),
      row(LANES.normal, 'alerts', B, { payload: ALERT_B }),
      row(LANES.normal, `alerts/${A}/state`, A, { payload: STATE_A }),
      row(LANES.normal, `alerts/${A}/snapshot`, A, { file: files.frame, properties: pictureProperties(frame.sha256, 'pond-east') }),
      row(LANES.normal, `alerts/${A}/crop`, A, { file: files.crop, properties: pictureProperties(crop.sha256, 'pond-east') }),
      row(LANES.normal, `alerts/${B}/state`, B, { payload: STATE_B }),
      row(LANES.emergency, 'alerts', E, { payload: ALERT_E }),
      row(LANES.emergency, `alerts/${E}/snapshot`, E, { file: files.gate, properties: pictureProperties(gate.sha256, 'gate') }),
    ];
    const sequence = Math.max(...ids) + 4;
    db.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'outbox'").run(sequence);

    const json = (topic: string, payload: string): WireExpectation => ({ topic, payload: Buffer.from(payload, 'utf8') });
    const picture = (topic: string, data: Buffer, sha256: string, camera: string): WireExpectation => ({ topic, payload: data, userProperties: { sha256, camera, contentType: 'image/jpeg' }, contentType: 'image/jpeg' });
    const expected = [
      json('alerts', sentAlert(ALERT_E)),
      picture(`alerts/${E}/snapshot`, gate.data, gate.sha256, 'gate'),
      json('alerts', sentAlert(ALERT_A)),
      json('alerts', sentAlert(ALERT_B)),
      json(`alerts/${A}/state`, sentState(STATE_A)),
      picture(`alerts/${A}/snapshot`, frame.data, frame.sha256, 'pond-east'),
      picture(`alerts/${A}/crop`, crop.data, crop.sha256, 'pond-east'),
      json(`alerts/${B}/state`, sentState(STATE_B)),
    ];
    return { expected, ids, deliveredId: ids[0] ?? 0, sequence };
  } finally {
    db.close();
  }
}
