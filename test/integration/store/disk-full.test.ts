import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { AlertService } from '../../../edge/alerts/alert-service.js';
import { HuxiaoError } from '../../../edge/errors.js';
import { Retention } from '../../../edge/store/retention.js';
import { Store } from '../../../edge/store/store.js';
import { ALERTS_CONFIG, ruleHit } from '../../helpers/rule-hits.js';
import { tempDir } from '../../helpers/tmp.js';

/** Fills the file system until the kernel says ENOSPC. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

it('a full file system (a 4 MiB tmpfs) is reported as STORE_FULL, evicts pictures, and keeps every stored alert', async (t) => {
  const dir = await tempDir('disk-full');
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir.path]);
  if (mounted.status !== 0) {
    await dir.remove();
    t.skip('needs root to mount a small tmpfs');
    return;
  }
  const snapshotsDir = join(dir.path, 'snapshots');
  const store = new Store({ path: join(dir.path, 'huxiao.db') });
  try {
    store.start();
    const retention = new Retention({ store, snapshotsDir, config: { quotaMb: 64, snapshotRetentionDays: 30, alertRetentionDays: 365, checkIntervalSeconds: 300 } });
    const alerts = new AlertService({ store, gatewayId: 'gw', config: ALERTS_CONFIG, snapshotsDir, retention });
    alerts.start();
    const frame = (): { width: number; height: number; data: Buffer } => ({ width: 320, height: 240, data: randomBytes(320 * 240 * 3) });
    const first = [1, 2, 3].map((track) => alerts.raise(ruleHit({ trackId: track, frame: frame() })).id);
    await alerts.idle();
    assert.equal(store.snapshots.forAlert(first[0] ?? '').length, 2);

    fillDisk(join(dir.path, 'ballast'));
    assert.throws(
      () => alerts.raise(ruleHit({ trackId: 10, details: { note: 'x'.repeat(5_000_000) } })),
      (error: unknown) => error instanceof HuxiaoError && error.code === 'STORE_FULL',
    );
    assert.equal(retention.usage().full, true, 'reported for telemetry');

    const next = alerts.raise(ruleHit({ trackId: 11, frame: frame() }));
    await alerts.idle();
    assert.equal(store.snapshots.forAlert(first[0] ?? '').length, 0, 'old pictures made room for the alert');
    assert.deepEqual((store.db.prepare('SELECT id FROM alerts ORDER BY seq').all() as { id: string }[]).map((row) => row.id), [...first, next.id]);

    rmSync(join(dir.path, 'ballast'));
    assert.equal(alerts.raise(ruleHit({ trackId: 12 })).seq, 5);
    assert.equal(retention.enforce().full, false);
    await alerts.stop();
  } finally {
    store.stop();
    spawnSync('umount', [dir.path]);
    await dir.remove();
  }
});
