import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import type { AlertEvent } from '../../../edge/store/alert.js';
import { AlertService } from '../../../edge/alerts/alert-service.js';
import type { PersonDirectory, PersonNames } from '../../../edge/identity/matcher.js';
import type { Identity } from '../../../edge/rules/hit.js';
import { LANES } from '../../../edge/store/outbox.js';
import { Store } from '../../../edge/store/store.js';
import { wireMessage } from '../../../edge/uplink/outbox-messages.js';
import { schemaErrors } from '../../helpers/payload-schemas.js';
import { ALERTS_CONFIG, ruleHit } from '../../helpers/rule-hits.js';
import { tempDir } from '../../helpers/tmp.js';

const ZHANG: Identity = { personId: 's-0042', list: 'students', score: 93.4 };
const KEY: Identity = { personId: 'k-0007', list: 'keypersons:theft', score: 96.1 };

/** The gallery's directory as the uplink sees it: students' names are shared with the centre, key persons' are not. */
const directory: PersonDirectory = {
  names: (personId): PersonNames | undefined =>
    ({ 's-0042': { name: '张三', class: '三年级二班' }, 'k-0007': { name: '李四', class: undefined } } as Record<string, PersonNames>)[personId],
  sharesNames: (list) => list === 'students',
};

describe('alerts with an identity', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let store: Store;
  let service: AlertService;
  let events: AlertEvent[];
  const now = 1_800_000_000_000;

  beforeEach(async () => {
    dir = await tempDir('alert-identity');
    store = new Store({ path: join(dir.path, 'huxiao.db'), clock: () => now });
    store.start();
    service = new AlertService({ store, gatewayId: 'gw-1', config: ALERTS_CONFIG, snapshotsDir: join(dir.path, 'snapshots'), clock: () => now });
    service.start();
    events = [];
    service.onEvent((event) => events.push(event));
  });

  afterEach(async () => {
    await service.stop();
    store.stop();
    await dir.remove();
  });

  /**
   * What another reader of the database file sees: the identity column and the outbox rows; and the payloads the
   * uplink builds from those rows when it sends them (with `names`, or without a directory: null), by topic.
   */
  function onDisk(names: PersonDirectory | null = directory): { identity: (string | null)[]; rows: string[]; outbox: { topic: string; payload: Record<string, unknown> }[] } {
    const db = new BetterSqlite3(join(dir.path, 'huxiao.db'), { readonly: true });
    try {
      const identity = (db.prepare('SELECT identity FROM alerts ORDER BY seq').all() as { identity: string | null }[]).map((row) => row.identity);
      const rows = (db.prepare('SELECT data FROM outbox ORDER BY id').all() as { data: string }[]).map((row) => row.data);
      const outbox = store.outbox.pending(LANES.normal, 0, 100).map((entry) => {
        const message = wireMessage(entry.message, names ?? undefined);
        assert.ok('json' in message);
        return { topic: message.topic, payload: JSON.parse(message.json.toString()) as Record<string, unknown> };
      });
      return { identity, rows, outbox };
    } finally {
      db.close();
    }
  }

  /** The bytes of the database and its write-ahead log, as a copy of the files would carry them. */
  function fileBytes(): Buffer {
    const path = join(dir.path, 'huxiao.db');
    return Buffer.concat([path, `${path}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file)));
  }

  it('keeps person id, list and score in the store; the payload adds name and class only for a list that shares them', () => {
    const student = service.raise(ruleHit({ trackId: 1, identity: ZHANG }));
    const key = service.raise(ruleHit({ trackId: 2, rule: 'watch', type: 'watchlist', identity: KEY }));
    const unknown = service.raise(ruleHit({ trackId: 3 }));
    assert.deepEqual(student.identity, ZHANG);
    assert.deepEqual(service.get(student.id)?.identity, ZHANG, 'read back from the store');
    assert.equal(unknown.identity, null);
    const { identity, rows, outbox } = onDisk();
    assert.deepEqual(identity, [JSON.stringify(ZHANG), JSON.stringify(KEY), null], 'no name in the alert rows');
    assert.ok(!identity.some((text) => text?.includes('张三') === true || text?.includes('李四') === true));
    assert.equal(rows.length, 3);
    assert.ok(!rows.some((row) => row.includes('张三') || row.includes('三年级二班') || row.includes('李四')), 'no name in the outbox rows');
    const bytes = fileBytes();
    for (const text of ['张三', '三年级二班', '李四']) assert.equal(bytes.indexOf(Buffer.from(text, 'utf8')), -1, `${text} in the database files`);
    assert.notEqual(bytes.indexOf(Buffer.from('s-0042', 'utf8')), -1, 'the person id is there: the search would find a name');
    const payloads = outbox.filter((entry) => entry.topic === 'alerts').map((entry) => entry.payload);
    assert.deepEqual(payloads.map((p) => p.identity), [{ ...ZHANG, name: '张三', class: '三年级二班' }, KEY, null]);
    for (const payload of payloads) assert.deepEqual(schemaErrors('alert.v2', payload), []);
    assert.equal(payloads[0]?.schema, 2);
    assert.equal(key.type, 'watchlist');
  });

  it('an identity arriving later: the open alert gets it, the centre an identified state change, the voice an update', () => {
    const alert = service.raise(ruleHit({ trackId: 5 }));
    const other = service.raise(ruleHit({ trackId: 6 }));
    events.length = 0;
    const identified = service.identify({ kind: 'identified', rule: alert.rule, camera: alert.camera, trackId: 5, identity: ZHANG, at: alert.decidedAt + 700 });
    assert.deepEqual(identified.map((a) => a.id), [alert.id]);
    assert.deepEqual(service.get(alert.id)?.identity, ZHANG);
    assert.equal(service.get(other.id)?.identity, null, 'another track keeps none');
    assert.deepEqual(events.map((e) => [e.kind, e.alert.id, e.alert.identity]), [['updated', alert.id, ZHANG]]);
    assert.deepEqual(store.alerts.states(alert.id).map((s) => s.event), ['raised', 'identified']);
    const { rows, outbox } = onDisk();
    assert.ok(!rows.some((row) => row.includes('张三')), 'no name in the outbox rows');
    assert.equal(fileBytes().indexOf(Buffer.from('张三', 'utf8')), -1, 'no name in the database files');
    const state = outbox.find((entry) => entry.topic === `alerts/${alert.id}/state`)?.payload;
    assert.ok(state);
    assert.deepEqual(schemaErrors('alert-state.v2', state), []);
    assert.deepEqual([state.event, state.identity], ['identified', { ...ZHANG, name: '张三', class: '三年级二班' }]);
    assert.deepEqual(service.identify({ kind: 'identified', rule: alert.rule, camera: alert.camera, trackId: 5, identity: KEY, at: alert.decidedAt + 900 }), [], 'an alert is identified once');
  });

  it('a cleared alert is not identified afterwards; a repeat that brings the identity sets it', () => {
    const cleared = service.raise(ruleHit({ trackId: 7 }));
    service.clear({ kind: 'clear', rule: cleared.rule, camera: cleared.camera, trackId: 7, at: cleared.decidedAt + 500 });
    assert.deepEqual(service.identify({ kind: 'identified', rule: cleared.rule, camera: cleared.camera, trackId: 7, identity: ZHANG, at: cleared.decidedAt + 600 }), []);
    const open = service.raise(ruleHit({ trackId: 8, decidedAt: 1000 }));
    const repeat = service.raise(ruleHit({ trackId: 8, decidedAt: 5000, identity: ZHANG }));
    assert.equal(repeat.id, open.id);
    assert.deepEqual(repeat.identity, ZHANG);
    assert.deepEqual(store.alerts.states(open.id).map((s) => s.event), ['raised', 'identified']);
    const again = service.raise(ruleHit({ trackId: 8, decidedAt: 9000, identity: KEY }));
    assert.deepEqual(again.identity, ZHANG, 'an identity, once set, stays');
  });

  it('without a directory the centre gets person ids only', () => {
    service.raise(ruleHit({ trackId: 1, identity: ZHANG }));
    assert.deepEqual(onDisk(null).outbox.find((entry) => entry.topic === 'alerts')?.payload.identity, ZHANG);
  });

  it('names are looked up when the payload is built: a person removed from the gallery meanwhile goes out with the person id only', () => {
    service.raise(ruleHit({ trackId: 1, identity: ZHANG }));
    const removed: PersonDirectory = { names: () => undefined, sharesNames: () => true };
    assert.deepEqual(onDisk(removed).outbox.find((entry) => entry.topic === 'alerts')?.payload.identity, ZHANG);
  });
});
