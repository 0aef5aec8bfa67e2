import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { LANES } from '../../../edge/store/outbox.js';
import { Store } from '../../../edge/store/store.js';
import { insertAlert } from '../../helpers/stored-alerts.js';
import { tempDir } from '../../helpers/tmp.js';

/** What the health check and /metrics read of the store: the write-lock probe and the age of the outbox backlog. */
describe('store figures for health and metrics', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir('store-health');
  });
  after(async () => {
    await dir.remove();
  });

  it('probeWrite fails at once while another connection holds the write lock, and writes nothing', () => {
    const path = join(dir.path, 'probe.db');
    const store = new Store({ path });
    store.start();
    const other = new BetterSqlite3(path);
    try {
      store.probeWrite();
      const version = other.pragma('data_version', { simple: true }) as number;
      store.probeWrite();
      assert.equal(other.pragma('data_version', { simple: true }), version, 'no commit seen by another connection');

      other.exec('BEGIN IMMEDIATE');
      assert.throws(() => { store.probeWrite(); }, (error: unknown) => (error as { code?: unknown }).code === 'SQLITE_BUSY');
      assert.equal(store.db.pragma('busy_timeout', { simple: true }), 5000, 'the store waits for locks again after the probe');
      assert.equal(store.db.inTransaction, false);
      other.exec('ROLLBACK');
      store.probeWrite();
    } finally {
      other.close();
      store.stop();
    }
    assert.throws(() => { store.probeWrite(); }, /Store used before start\(\) or after stop\(\)/);
  });

  it('oldestPendingAt gives the commit time of the oldest undelivered entry per lane', () => {
    const store = new Store({ path: join(dir.path, 'outbox.db') });
    store.start();
    try {
      const { outbox } = store;
      assert.equal(outbox.oldestPendingAt(LANES.normal), undefined);
      const first = store.durable(() => outbox.enqueue(LANES.normal, { kind: 'alert', alert: insertAlert(store) }, 1000));
      store.durable(() => outbox.enqueue(LANES.normal, { kind: 'alert', alert: insertAlert(store) }, 2000));
      store.durable(() => outbox.enqueue(LANES.emergency, { kind: 'alert', alert: insertAlert(store) }, 3000));
      assert.deepEqual([outbox.oldestPendingAt(LANES.normal), outbox.oldestPendingAt(LANES.emergency)], [1000, 3000]);
      store.relaxed(() => { outbox.markDelivered([first], 4000); });
      assert.equal(outbox.oldestPendingAt(LANES.normal), 2000);
    } finally {
      store.stop();
    }
  });
});
