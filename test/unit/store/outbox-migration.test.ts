import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LANES } from '../../../edge/store/outbox.js';
import { Store } from '../../../edge/store/store.js';
import { wireMessage } from '../../../edge/uplink/outbox-messages.js';
import { createVersion2Store } from '../../helpers/outbox-v2.js';
import { insertAlert } from '../../helpers/stored-alerts.js';
import { tempDir } from '../../helpers/tmp.js';

describe('store migration 3: the outbox by message kind', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir('outbox-migration');
  });
  after(async () => {
    await dir.remove();
  });

  it('converts the rows of schema 2 in place: same ids, lanes and delivered marks, each message as the alert stage writes it now', async () => {
    const path = join(dir.path, 'huxiao.db');
    const old = await createVersion2Store(path, join(dir.path, 'snapshots'));
    const store = new Store({ path });
    store.start();
    try {
      const columns = (store.db.prepare('SELECT name FROM pragma_table_info(?)').all('outbox') as { name: string }[]).map((row) => row.name);
      assert.deepEqual(columns, ['id', 'lane', 'kind', 'alert_id', 'data', 'created_at', 'delivered_at']);
      const emergency = store.outbox.pending(LANES.emergency, 0, 100);
      const normal = store.outbox.pending(LANES.normal, 0, 100);
      assert.deepEqual([...normal, ...emergency].map((entry) => entry.id), old.ids.filter((id) => id !== old.deliveredId));
      assert.deepEqual(emergency.map((entry) => entry.message.kind), ['alert', 'snapshot']);
      assert.deepEqual(normal.map((entry) => entry.message.kind), ['alert', 'alert', 'alert-state', 'snapshot', 'snapshot', 'alert-state']);
      const [alertA, alertB, stateA, frameA, cropA] = normal.map((entry) => entry.message);
      assert.ok(alertA?.kind === 'alert' && alertB?.kind === 'alert' && stateA?.kind === 'alert-state' && frameA?.kind === 'snapshot' && cropA?.kind === 'snapshot');
      assert.deepEqual(alertA.alert.snapshot, { crop: true });
      assert.equal(alertB.alert.snapshot, null);
      assert.deepEqual(alertB.alert.details, { note: '水边 "q"\n', n: 1e21, ok: true });
      assert.deepEqual(stateA.change, { id: frameA.picture.alertId, seq: 1, event: 'acknowledged', state: 'acknowledged', at: 1_800_000_001_000, by: 'duty officer Li', note: 'on my way', count: 1, lastSeenAt: 1_700_000_001_000, clearedAt: null });
      assert.deepEqual({ ...frameA.picture, sha256: '' }, { alertId: stateA.change.id, kind: 'frame', camera: 'pond-east', path: `2027-01-15/${stateA.change.id}-pond-east-frame.jpg`, sha256: '' });
      assert.equal(cropA.picture.kind, 'crop');
      assert.equal(store.alerts.get(stateA.change.id, 'gw-up')?.snapshot?.crop, true, 'the alert row says a crop follows, as its payload did');
      const alertE = emergency[0]?.message;
      assert.ok(alertE?.kind === 'alert');
      assert.deepEqual(alertE.alert.snapshot, { crop: false });
      assert.ok(!('schema' in alertE.alert));
      for (const [entry, wire] of [...emergency, ...normal].map((entry, index) => [entry, old.expected[index]] as const)) {
        const message = wireMessage(entry.message);
        assert.equal(message.topic, wire?.topic);
        if ('json' in message) assert.equal(message.json.toString('utf8'), wire?.payload.toString('utf8'));
        else assert.deepEqual(message.userProperties, wire?.userProperties);
      }
      const next = store.durable(() => store.outbox.enqueue(LANES.normal, { kind: 'alert', alert: insertAlert(store) }, 1));
      assert.equal(next, old.sequence + 1, 'the id counter goes on from the old one, past rows retention deleted');
      assert.deepEqual((store.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((row) => row.version), [1, 2, 3]);
    } finally {
      store.stop();
    }
  });
});
