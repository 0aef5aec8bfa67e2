import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import sharp from 'sharp';
import type { AlertEvent } from '../../../edge/store/alert.js';
import { AlertService } from '../../../edge/alerts/alert-service.js';
import { HuxiaoError } from '../../../edge/errors.js';
import { LANES, Outbox, type OutboxEntry } from '../../../edge/store/outbox.js';
import type { RgbImage } from '../../../edge/ingest/frame.js';
import { Store } from '../../../edge/store/store.js';
import { alertPayload, wireMessage } from '../../../edge/uplink/outbox-messages.js';
import { vtestFrames } from '../../helpers/frames.js';
import { assertFrameWithBox, assertSamePicture, decodeJpeg, JPEG_NOISE, meanAbsDiff, region } from '../../helpers/pictures.js';
import { ALERTS_CONFIG, ruleHit, testImage } from '../../helpers/rule-hits.js';
import { tempDir } from '../../helpers/tmp.js';

/** What the centre receives for a queued entry, as the uplink builds it. */
function wire(entry: OutboxEntry | undefined): { topic: string; payload?: Record<string, unknown>; userProperties?: Readonly<Record<string, string>> } {
  assert.ok(entry);
  const message = wireMessage(entry.message);
  return 'json' in message ? { topic: message.topic, payload: JSON.parse(message.json.toString()) as Record<string, unknown> } : { topic: message.topic, userProperties: message.userProperties };
}

describe('AlertService', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let store: Store;
  let service: AlertService;
  let now: number;
  let events: AlertEvent[];

  beforeEach(async () => {
    dir = await tempDir('alerts');
    now = 1_800_000_000_000;
    store = new Store({ path: join(dir.path, 'huxiao.db'), clock: () => now });
    store.start();
    service = new AlertService({
      store,
      gatewayId: 'gw-1',
      config: ALERTS_CONFIG,
      snapshotsDir: join(dir.path, 'snapshots'),
      cooldownSeconds: (rule) => (rule === 'no-cooldown' ? 0 : rule === 'long' ? 600 : undefined),
      clock: () => now,
    });
    service.start();
    events = [];
    service.onEvent((event) => events.push(event));
  });

  afterEach(async () => {
    await service.stop();
    store.stop();
    await dir.remove();
  });

  it('commits the alert, its state row and its outbox entry before raise() returns (visible to another connection)', () => {
    const alert = service.raise(ruleHit());
    const other = new BetterSqlite3(join(dir.path, 'huxiao.db'), { readonly: true });
    try {
      const row = other.prepare('SELECT id, seq, state, rule, camera, track_id FROM alerts').get() as Record<string, unknown>;
      assert.deepEqual(row, { id: alert.id, seq: 1, state: 'raised', rule: 'pond-fence', camera: 'pond-east', track_id: 7 });
      const reader = new Outbox(other);
      const outbox = [LANES.emergency, LANES.normal].flatMap((lane) => reader.pending(lane, 0, 10));
      assert.equal(outbox.length, 1);
      const [entry] = outbox;
      assert.ok(entry);
      const { topic, payload } = wire(entry);
      assert.equal(topic, 'alerts');
      assert.equal(entry.lane, LANES.normal);
      assert.ok(payload);
      assert.equal(payload.schema, 2);
      assert.equal(payload.id, alert.id);
      assert.equal((other.prepare('SELECT event FROM alert_states').get() as { event: string }).event, 'raised');
    } finally {
      other.close();
    }
    assert.match(alert.id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.equal(alert.raisedAt, now);
    assert.equal(alert.identity, null);
    assert.deepEqual(alert.box, { x1: 100, y1: 80, x2: 180, y2: 260 });
    assert.deepEqual(events.map((event) => event.kind), ['raised']);
  });

  it('numbers alerts with a per-gateway seq that keeps increasing across restarts', () => {
    const seqs = [service.raise(ruleHit({ trackId: 1 })).seq, service.raise(ruleHit({ trackId: 2 })).seq];
    store.stop();
    store.start();
    seqs.push(service.raise(ruleHit({ trackId: 3 })).seq);
    assert.deepEqual(seqs, [1, 2, 3]);
  });

  it('merges repeats of the same rule, camera and track within the cooldown into one alert', () => {
    const first = service.raise(ruleHit({ decidedAt: 1000 }));
    const repeat = service.raise(ruleHit({ decidedAt: 30_000 }));
    assert.equal(repeat.id, first.id);
    assert.equal(repeat.count, 2);
    assert.equal(repeat.lastSeenAt, 30_000);
    assert.equal(service.get(first.id)?.count, 2);
    assert.equal(store.outbox.depth().depth, 1, 'a repeat is not republished');
    assert.deepEqual(events.map((event) => event.kind), ['raised', 'updated']);
  });

  it('raises a new alert after the cooldown, for another track or camera, and uses the rule\'s own cooldown', () => {
    const first = service.raise(ruleHit({ decidedAt: 1000 }));
    assert.notEqual(service.raise(ruleHit({ decidedAt: 1000 + 61_000 })).id, first.id);
    assert.notEqual(service.raise(ruleHit({ decidedAt: 1000, trackId: 8 })).id, first.id);
    assert.notEqual(service.raise(ruleHit({ decidedAt: 1000, camera: 'gate' })).id, first.id);
    const long = service.raise(ruleHit({ rule: 'long', decidedAt: 1000 }));
    assert.equal(service.raise(ruleHit({ rule: 'long', decidedAt: 500_000 })).id, long.id);
    const zero = service.raise(ruleHit({ rule: 'no-cooldown', decidedAt: 1000 }));
    assert.notEqual(service.raise(ruleHit({ rule: 'no-cooldown', decidedAt: 1000 })).id, zero.id);
  });

  it('clears the open alerts of a rule and track, recording the state change for the uplink', () => {
    const alert = service.raise(ruleHit());
    service.raise(ruleHit({ trackId: 9 }));
    const cleared = service.clear({ kind: 'clear', rule: 'pond-fence', camera: 'pond-east', trackId: 7, at: 5000 });
    assert.deepEqual(cleared.map((a) => a.id), [alert.id]);
    assert.equal(service.get(alert.id)?.clearedAt, 5000);
    assert.deepEqual(store.alerts.states(alert.id).map((s) => s.event), ['raised', 'cleared']);
    const stateEntry = store.outbox.pending(LANES.normal, 0, 10).map(wire).find((entry) => entry.topic === `alerts/${alert.id}/state`);
    assert.equal(stateEntry?.payload?.event, 'cleared');
    assert.deepEqual(service.clear({ kind: 'clear', rule: 'pond-fence', camera: 'pond-east', trackId: 7, at: 6000 }), [], 'already cleared');
    assert.deepEqual(events.map((event) => event.kind), ['raised', 'raised', 'cleared']);
  });

  it('walks raised -> acknowledged -> resolved with who and the feedback, and refuses the wrong order', () => {
    const alert = service.raise(ruleHit());
    now += 1000;
    assert.equal(service.acknowledge(alert.id, { by: 'duty officer Li', note: 'on my way' }).state, 'acknowledged');
    assert.throws(() => service.acknowledge(alert.id, { by: 'x' }), (error: unknown) => error instanceof HuxiaoError && error.code === 'ALERT_STATE');
    now += 1000;
    assert.equal(service.resolve(alert.id, { by: 'duty officer Li', feedback: 'child escorted back to class' }).state, 'resolved');
    assert.throws(() => service.resolve(alert.id, { by: 'x', feedback: 'y' }), (error: unknown) => error instanceof HuxiaoError && error.code === 'ALERT_STATE');
    assert.throws(() => service.resolve('01ARZ3NDEKTSV4RRFFQ69G5FAV', { by: 'x', feedback: 'y' }), (error: unknown) => error instanceof HuxiaoError && error.code === 'ALERT_UNKNOWN');
    assert.deepEqual(store.alerts.states(alert.id), [
      { event: 'raised', state: 'raised', at: now - 2000, by: null, note: null },
      { event: 'acknowledged', state: 'acknowledged', at: now - 1000, by: 'duty officer Li', note: 'on my way' },
      { event: 'resolved', state: 'resolved', at: now, by: 'duty officer Li', note: 'child escorted back to class' },
    ]);
    assert.deepEqual(store.outbox.pending(LANES.normal, 0, 10).map((entry) => wire(entry).topic), ['alerts', `alerts/${alert.id}/state`, `alerts/${alert.id}/state`]);
    assert.deepEqual(events.map((event) => event.kind), ['raised', 'acknowledged', 'resolved']);
  });

  it('expires open alerts after alerts.expireAfterMinutes and leaves resolved ones alone', () => {
    const open = service.raise(ruleHit({ trackId: 1 }));
    const done = service.raise(ruleHit({ trackId: 2 }));
    service.resolve(done.id, { by: 'a', feedback: 'b' });
    now += 59 * 60_000;
    assert.deepEqual(service.expireDue(), []);
    now += 2 * 60_000;
    assert.deepEqual(service.expireDue().map((alert) => alert.id), [open.id]);
    assert.equal(service.get(open.id)?.state, 'expired');
    assert.equal(service.get(done.id)?.state, 'resolved');
    assert.throws(() => service.acknowledge(open.id, { by: 'late' }), (error: unknown) => error instanceof HuxiaoError && error.code === 'ALERT_STATE');
  });

  it('puts the emergency alert in the emergency lane, ahead of a backlog', () => {
    for (let track = 1; track <= 5; track++) service.raise(ruleHit({ trackId: track }));
    const emergency = service.raiseEmergency({ source: 'gate-button', cameras: ['gate', 'yard'], snapshots: [] });
    assert.equal(emergency.severity, 'emergency');
    assert.equal(emergency.type, 'emergency');
    assert.equal(emergency.seq, 6);
    assert.deepEqual(emergency.cameras, ['gate', 'yard']);
    assert.deepEqual(store.outbox.pending(LANES.emergency, 0, 10).map((entry) => entry.alertId), [emergency.id]);
    assert.equal(store.outbox.pending(LANES.normal, 0, 10).length, 5);
  });

  it('keeps notifying the other listeners when one throws', () => {
    service.onEvent(() => {
      throw new Error('listener bug');
    });
    const seen: string[] = [];
    service.onEvent((event) => seen.push(event.alert.id));
    const alert = service.raise(ruleHit());
    assert.deepEqual(seen, [alert.id]);
  });

  it('writes the snapshot and crop as JPEG files with their sha256, and queues them after the alert', async () => {
    const alert = service.raise(ruleHit({ frame: testImage() }));
    assert.deepEqual(alertPayload(alert).snapshot, { topic: `alerts/${alert.id}/snapshot`, cropTopic: `alerts/${alert.id}/crop` });
    await service.idle();
    const pictures = store.snapshots.forAlert(alert.id);
    assert.deepEqual(pictures.map((p) => p.kind), ['frame', 'crop']);
    for (const picture of pictures) {
      const bytes = readFileSync(join(dir.path, 'snapshots', picture.path));
      assert.equal(createHash('sha256').update(bytes).digest('hex'), picture.sha256);
      const meta = await sharp(bytes).metadata();
      assert.equal(meta.format, 'jpeg');
      assert.equal(meta.width, picture.width);
    }
    assert.deepEqual(pictures.map((p) => [p.width, p.height]), [[320, 240], [120, 205]]);
    const entries = store.outbox.pending(LANES.normal, 0, 10).map(wire);
    assert.deepEqual(entries.map((entry) => entry.topic), ['alerts', `alerts/${alert.id}/snapshot`, `alerts/${alert.id}/crop`]);
    assert.equal(entries[1]?.userProperties?.sha256, pictures[0]?.sha256);
  });

  it('stores the deciding frame with its box drawn in red, and the box region as the crop', async () => {
    const [frame] = (await vtestFrames([300])) as [RgbImage];
    const alert = service.raise(ruleHit({ frame }));
    await service.idle();
    const [stored, crop] = store.snapshots.forAlert(alert.id);
    assert.ok(stored?.kind === 'frame' && crop?.kind === 'crop');
    const picture = await decodeJpeg(readFileSync(join(dir.path, 'snapshots', stored.path)));
    assert.deepEqual([picture.width, picture.height], [stored.width, stored.height], 'the size the store records');
    assertFrameWithBox(picture, frame, { x1: 100, y1: 80, x2: 180, y2: 260 }, 'stored frame');
    const cropPicture = await decodeJpeg(readFileSync(join(dir.path, 'snapshots', crop.path)));
    assert.deepEqual([cropPicture.width, cropPicture.height], [crop.width, crop.height], 'the size the store records');
    // The 80 x 180 box with 25 % padding: 20 px left and right, 45 px above and below.
    assertSamePicture(cropPicture, region(frame, { left: 80, top: 35, width: 120, height: 270 }), 'stored crop');
  });

  it("stores one picture per camera for the emergency alert, each that camera's frame as it was", async () => {
    const [gate, yard] = (await vtestFrames([100, 600])) as [RgbImage, RgbImage];
    const alert = service.raiseEmergency({ source: 'gate-button', cameras: ['gate', 'yard', 'hall'], snapshots: [{ camera: 'gate', image: gate }, { camera: 'yard', image: yard }] });
    await service.idle();
    // The two pictures are encoded side by side; either may be stored first.
    const pictures = store.snapshots.forAlert(alert.id).sort((a, b) => a.camera.localeCompare(b.camera));
    assert.deepEqual(pictures.map((p) => [p.camera, p.kind, p.width, p.height]), [['gate', 'frame', 768, 576], ['yard', 'frame', 768, 576]]);
    for (const [row, own, other] of [[pictures[0], gate, yard], [pictures[1], yard, gate]] as const) {
      assert.ok(row);
      const picture = await decodeJpeg(readFileSync(join(dir.path, 'snapshots', row.path)));
      assertSamePicture(picture, own, `emergency picture of ${row.camera}`);
      assert.ok(meanAbsDiff(picture, other) > JPEG_NOISE, `the picture of ${row.camera} is not the other camera's`);
    }
    const entries = store.outbox.pending(LANES.emergency, 0, 10).map(wire).filter((entry) => entry.topic === `alerts/${alert.id}/snapshot`);
    assert.deepEqual(
      new Map(entries.map((entry) => [entry.userProperties?.camera, entry.userProperties?.sha256])),
      new Map(pictures.map((p) => [p.camera, p.sha256])),
      'each picture queued for the centre with its camera and hash',
    );
  });

  it('reports a full disk as STORE_FULL, stores nothing half-way and keeps working afterwards', () => {
    const pages = store.db.pragma('page_count', { simple: true }) as number;
    store.db.pragma(`max_page_count = ${String(pages)}`);
    assert.throws(
      () => service.raise(ruleHit({ details: { note: 'z'.repeat(20_000) } })),
      (error: unknown) => error instanceof HuxiaoError && error.code === 'STORE_FULL',
    );
    assert.equal(store.alerts.count(), 0);
    assert.equal(store.outbox.depth().depth, 0);
    store.db.pragma('max_page_count = 1073741823');
    assert.equal(service.raise(ruleHit()).seq, 1);
  });
});
