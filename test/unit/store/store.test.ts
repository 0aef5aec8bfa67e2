import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { HuxiaoError } from '../../../edge/errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../edge/store/migrations.js';
import { LANES } from '../../../edge/store/outbox.js';
import { isDiskFull, Store } from '../../../edge/store/store.js';
import { insertAlert } from '../../helpers/stored-alerts.js';
import { tempDir } from '../../helpers/tmp.js';

describe('Store', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir('store');
  });
  after(async () => {
    await dir.remove();
  });

  it('creates every table on a new file, in WAL mode with synchronous FULL, at the latest schema version', () => {
    const path = join(dir.path, 'new.db');
    const store = new Store({ path });
    store.start();
    try {
      assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(store.db.pragma('synchronous', { simple: true }), 2);
      assert.equal(store.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      const tables = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((row) => row.name);
      for (const table of ['alerts', 'alert_states', 'outbox', 'snapshots', 'audit', 'schema_migrations']) assert.ok(tables.includes(table), table);
      const applied = store.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[];
      assert.deepEqual(applied.map((row) => row.version), MIGRATIONS.map((migration) => migration.version));
    } finally {
      store.stop();
    }
  });

  it('reopens an existing store without migrating again and keeps its rows', () => {
    const path = join(dir.path, 'reopen.db');
    const first = new Store({ path });
    first.start();
    first.durable(() => first.outbox.enqueue(LANES.normal, { kind: 'alert', alert: insertAlert(first) }, 1));
    first.stop();
    const second = new Store({ path });
    second.start();
    try {
      assert.equal(second.outbox.depth().depth, 1);
      assert.equal((second.db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number }).n, MIGRATIONS.length);
    } finally {
      second.stop();
    }
  });

  it('reports a garbage file as STORE_CORRUPT and leaves it untouched', () => {
    const path = join(dir.path, 'garbage.db');
    const garbage = Buffer.from('this is not a database at all, just text that happens to sit in the store path'.repeat(100));
    writeFileSync(path, garbage);
    assert.throws(() => {
      new Store({ path }).start();
    }, (error: unknown) => error instanceof HuxiaoError && error.code === 'STORE_CORRUPT' && error.message.includes(path));
    assert.deepEqual(readFileSync(path), garbage);
  });

  it('reports a store with damaged pages as STORE_CORRUPT', () => {
    const path = join(dir.path, 'damaged.db');
    const store = new Store({ path });
    store.start();
    store.durable(() => {
      for (let i = 0; i < 300; i++) store.outbox.enqueue(LANES.normal, { kind: 'alert', alert: insertAlert(store, { details: { note: 'x'.repeat(500) } }) }, i);
    });
    store.stop();
    const bytes = readFileSync(path);
    bytes.fill(0xa5, 4096 * 2, 4096 * 6);
    writeFileSync(path, bytes);
    assert.throws(() => {
      new Store({ path }).start();
    }, (error: unknown) => error instanceof HuxiaoError && error.code === 'STORE_CORRUPT');
  });

  it('refuses an SQLite file that is not a Huxiao store', () => {
    const path = join(dir.path, 'foreign.db');
    const db = new BetterSqlite3(path);
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)');
    db.close();
    assert.throws(() => {
      new Store({ path }).start();
    }, (error: unknown) => error instanceof HuxiaoError && error.code === 'STORE_CORRUPT' && error.message.includes('not a Huxiao store'));
  });

  it('refuses a store written by a newer release (STORE_VERSION)', () => {
    const path = join(dir.path, 'newer.db');
    const store = new Store({ path });
    store.start();
    store.db.pragma(`user_version = ${String(SCHEMA_VERSION + 1)}`);
    store.stop();
    assert.throws(() => {
      new Store({ path }).start();
    }, (error: unknown) => error instanceof HuxiaoError && error.code === 'STORE_VERSION');
  });

  it('surfaces a full database as a disk-full error', () => {
    const path = join(dir.path, 'full.db');
    const store = new Store({ path });
    store.start();
    try {
      const pages = store.db.pragma('page_count', { simple: true }) as number;
      store.db.pragma(`max_page_count = ${String(pages + 2)}`);
      assert.throws(
        () => {
          store.durable(() => {
            for (let i = 0; i < 100; i++) store.outbox.enqueue(LANES.normal, { kind: 'alert', alert: insertAlert(store, { details: { note: 'y'.repeat(4000) } }) }, i);
          });
        },
        (error: unknown) => isDiskFull(error),
      );
      assert.equal(store.outbox.depth().depth, 0);
    } finally {
      store.stop();
    }
  });

  it('returns pending outbox entries per lane in commit order and drops them from the depth once delivered', () => {
    const store = new Store({ path: join(dir.path, 'outbox.db') });
    store.start();
    try {
      const a = { kind: 'alert', alert: store.durable(() => insertAlert(store, { details: { note: 'a' } })) } as const;
      const b = { kind: 'alert', alert: store.durable(() => insertAlert(store, { severity: 'emergency' })) } as const;
      const c = { kind: 'snapshot', picture: { alertId: a.alert.id, kind: 'frame', camera: 'pond-east', path: 'c.jpg', sha256: 'ab' } } as const;
      const ids = store.durable(() => [store.outbox.enqueue(LANES.normal, a, 1), store.outbox.enqueue(LANES.emergency, b, 2), store.outbox.enqueue(LANES.normal, c, 3)]);
      assert.deepEqual(store.outbox.depth(), { depth: 3, emergencyDepth: 1 });
      assert.deepEqual(store.outbox.pending(LANES.normal, 0, 10).map((entry) => entry.message), [a, c]);
      assert.deepEqual(store.outbox.pending(LANES.normal, ids[0] ?? 0, 10)[0]?.message, c);
      store.relaxed(() => {
        store.outbox.markDelivered([ids[0] ?? 0, ids[1] ?? 0], 5);
      });
      assert.equal(store.db.pragma('synchronous', { simple: true }), 2);
      assert.deepEqual(store.outbox.depth(), { depth: 1, emergencyDepth: 0 });
    } finally {
      store.stop();
    }
  });
});
