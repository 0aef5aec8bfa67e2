import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AlertService } from '../../../edge/alerts/alert-service.js';
import { LANES } from '../../../edge/store/outbox.js';
import { Retention } from '../../../edge/store/retention.js';
import { Store } from '../../../edge/store/store.js';
import { ALERTS_CONFIG, ruleHit } from '../../helpers/rule-hits.js';
import { tempDir } from '../../helpers/tmp.js';

const DAY = 86_400_000;

/** Noise compresses badly, so each snapshot is large and the quota is reached after a few alerts. */
function noiseImage(): { width: number; height: number; data: Buffer } {
  return { width: 320, height: 240, data: randomBytes(320 * 240 * 3) };
}

describe('Retention', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let store: Store;
  let now: number;

  beforeEach(async () => {
    dir = await tempDir('retention');
    now = 1_800_000_000_000;
    store = new Store({ path: join(dir.path, 'huxiao.db'), clock: () => now });
    store.start();
  });

  afterEach(async () => {
    store.stop();
    await dir.remove();
  });

  function setup(quotaMb: number): { retention: Retention; service: AlertService } {
    const snapshotsDir = join(dir.path, 'snapshots');
    const retention = new Retention({ store, snapshotsDir, config: { quotaMb, snapshotRetentionDays: 30, alertRetentionDays: 365, checkIntervalSeconds: 300 }, clock: () => now });
    const service = new AlertService({ store, gatewayId: 'gw-1', config: ALERTS_CONFIG, snapshotsDir, retention, clock: () => now });
    service.start();
    return { retention, service };
  }

  function deliverAll(): void {
    const ids = [...store.outbox.pending(LANES.emergency, 0, 100_000), ...store.outbox.pending(LANES.normal, 0, 100_000)].map((entry) => entry.id);
    store.relaxed(() => {
      store.outbox.markDelivered(ids, now);
    });
  }

  it('evicts the oldest snapshots first and never lets the store exceed its quota', async () => {
    const { retention, service } = setup(1);
    const raised: string[] = [];
    for (let i = 0; i < 24; i++) {
      now += 1000;
      raised.push(service.raise(ruleHit({ trackId: i, frame: noiseImage() })).id);
      await service.idle();
      const usage = retention.usage();
      assert.ok(usage.usedBytes <= usage.quotaBytes, `after alert ${String(i)}: ${String(usage.usedBytes)} > ${String(usage.quotaBytes)}`);
    }
    await service.stop();
    const withPictures = raised.filter((id) => store.snapshots.forAlert(id).length > 0);
    assert.ok(withPictures.length > 0 && withPictures.length < raised.length, `${String(withPictures.length)} of ${String(raised.length)} kept pictures`);
    assert.deepEqual(withPictures, raised.slice(raised.length - withPictures.length), 'the newest alerts keep their pictures');
    assert.equal(store.alerts.count(), raised.length, 'no alert was deleted while snapshots could go');
    const evicted = raised[0] ?? '';
    assert.equal(existsSync(join(dir.path, 'snapshots', new Date(now).toISOString().slice(0, 10), `${evicted}-pond-east-frame.jpg`)), false);
  });

  it('deletes delivered alerts before undelivered ones, and undelivered (emergency last) only when nothing else is left', async () => {
    const { retention, service } = setup(1);
    const big = { note: 'd'.repeat(3000) };
    const delivered = Array.from({ length: 20 }, (_, i) => service.raise(ruleHit({ trackId: i, details: big })).id);
    deliverAll();
    const emergency = service.raiseEmergency({ source: 'gate-button', cameras: ['gate'], snapshots: [] }).id;
    const undelivered = Array.from({ length: 20 }, (_, i) => service.raise(ruleHit({ trackId: 100 + i, details: big })).id);
    await service.stop();
    store.compact();

    const first = retention.enforce(retention.quotaBytes - retention.headroomBytes - retention.usage().usedBytes + 40_000);
    assert.ok(first.alertsDeleted > 0);
    assert.equal(first.undeliveredDropped, 0);
    assert.equal(store.alerts.get(delivered[0] ?? '', 'gw-1'), undefined, 'the oldest delivered alert went first');
    for (const id of [...undelivered, emergency]) assert.ok(store.alerts.get(id, 'gw-1'), `undelivered ${id} kept`);

    const second = retention.enforce(retention.quotaBytes - retention.headroomBytes - retention.usage().usedBytes + 40_000);
    assert.ok(second.undeliveredDropped > 0);
    assert.equal(retention.undeliveredDropped, second.undeliveredDropped);
    assert.ok(store.alerts.get(emergency, 'gw-1'), 'the emergency alert is the last to go');
    assert.equal(store.alerts.get(undelivered[0] ?? '', 'gw-1'), undefined);
    assert.equal(second.full, false);
  });

  it('reports full when even an empty store cannot make the room asked for', () => {
    const { retention } = setup(1);
    const report = retention.enforce(2 * 1024 * 1024);
    assert.equal(report.full, true);
    assert.equal(retention.usage().full, true);
    assert.equal(retention.enforce().full, false, 'cleared once there is room again');
  });

  it('deletes by age: snapshots after snapshotRetentionDays, alerts after alertRetentionDays once delivered', async () => {
    const { retention, service } = setup(64);
    const old = service.raise(ruleHit({ trackId: 1, frame: noiseImage() }));
    const oldPending = service.raise(ruleHit({ trackId: 2 }));
    await service.idle();
    store.relaxed(() => {
      store.outbox.markDelivered(
        store.outbox
          .pending(LANES.normal, 0, 100)
          .filter((entry) => entry.alertId === old.id)
          .map((entry) => entry.id),
        now,
      );
    });
    now += 31 * DAY;
    const recent = service.raise(ruleHit({ trackId: 3, frame: noiseImage() }));
    await service.stop();
    retention.enforce();
    assert.equal(store.snapshots.forAlert(old.id).length, 0);
    assert.equal(store.snapshots.forAlert(recent.id).length, 2);
    now += 340 * DAY;
    const second = retention.enforce();
    assert.equal(second.alertsDeleted, 1);
    assert.equal(store.alerts.get(old.id, 'gw-1'), undefined);
    assert.ok(store.alerts.get(oldPending.id, 'gw-1'), 'an alert the centre never received is kept past its age');
  });
});
