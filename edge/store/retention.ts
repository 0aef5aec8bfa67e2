import { mkdirSync, rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import type { StorageConfig } from '../config/storage.js';
import { moduleLogger } from '../log.js';
import type { Store } from './store.js';
import type { StoredSnapshot } from './snapshot-rows.js';

export interface RetentionContext {
  readonly store: Store;
  /** Directory the snapshot paths in the store are relative to. */
  readonly snapshotsDir: string;
  readonly config: Pick<StorageConfig, 'quotaMb' | 'snapshotRetentionDays' | 'alertRetentionDays' | 'checkIntervalSeconds'>;
  readonly clock?: () => number;
}

export interface DiskUsage {
  readonly usedBytes: number;
  readonly quotaBytes: number;
  /** The last write failed for lack of space, or the quota cannot be met; cleared by the next successful enforce(). */
  readonly full: boolean;
}

export interface RetentionReport extends DiskUsage {
  readonly snapshotsDeleted: number;
  readonly alertsDeleted: number;
  /** Alerts deleted before the centre received them: only when nothing else is left to delete (see docs/mqtt.md). */
  readonly undeliveredDropped: number;
}

const DAY_MS = 86_400_000;
const BATCH = 50;
/** Undelivered alerts are precious: evicted a few at a time so no more go than the quota demands. */
const UNDELIVERED_BATCH = 2;
const HEADROOM_MAX = 2 * 1024 * 1024;
const log = moduleLogger('retention');

/**
 * Keeps the store within its age limits and its disk quota. Eviction order under the quota: snapshots oldest first,
 * then alerts the centre has received (oldest first), and only when nothing else is left, undelivered alerts oldest
 * first with emergencies last — dropping the oldest undelivered alert is preferred to refusing a new one, because the
 * gateway must keep raising (and speaking) current alerts. Every such drop is logged as an error and counted.
 * When the file system itself runs low (another program filled it), snapshots and delivered alerts are evicted the
 * same way, but undelivered alerts are kept and the store reports itself full.
 */
export class Retention {
  readonly context: RetentionContext;
  #timer: NodeJS.Timeout | undefined;
  #full = false;
  #undeliveredDropped = 0;

  constructor(context: RetentionContext) {
    this.context = context;
  }

  start(): void {
    this.#run();
    this.#timer = setInterval(() => {
      this.#run();
    }, this.context.config.checkIntervalSeconds * 1000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  get quotaBytes(): number {
    return this.context.config.quotaMb * 1024 * 1024;
  }

  /**
   * Kept free below the quota for what is written between two retention runs without asking first: alert rows and the
   * WAL (at most ~1 MiB before SQLite checkpoints it, see Store).
   */
  get headroomBytes(): number {
    return Math.min(this.quotaBytes / 8, HEADROOM_MAX);
  }

  get undeliveredDropped(): number {
    return this.#undeliveredDropped;
  }

  usage(): DiskUsage {
    const { store } = this.context;
    return { usedBytes: store.fileBytes() + store.snapshots.totalBytes(), quotaBytes: this.quotaBytes, full: this.#full };
  }

  /** A write failed with ENOSPC / SQLITE_FULL: telemetry shows it until space is found again. */
  reportFull(what: string, error: unknown): void {
    this.#full = true;
    log.error({ what, err: error }, 'disk full: write failed');
  }

  /**
   * Deletes by age, then evicts until `incomingBytes` more fit under the quota minus the headroom. Returns what it did;
   * `full` is set when the room could not be made.
   */
  enforce(incomingBytes = 0): RetentionReport {
    const { store, config } = this.context;
    const now = (this.context.clock ?? Date.now)();
    let snapshotsDeleted = this.#deleteSnapshots(now - config.snapshotRetentionDays * DAY_MS, Number.MAX_SAFE_INTEGER);
    let alertsDeleted = 0;
    for (let batch = BATCH; batch === BATCH; alertsDeleted += batch) {
      batch = this.#deleteAlerts(
        'SELECT id FROM alerts a WHERE raised_at <= ? AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.alert_id = a.id AND o.delivered_at IS NULL) ORDER BY seq LIMIT ?',
        now - config.alertRetentionDays * DAY_MS,
      );
    }
    let undeliveredDropped = 0;
    store.compact();

    let stuck = false;
    for (let pressure = this.#pressure(incomingBytes); pressure !== undefined; pressure = this.#pressure(incomingBytes)) {
      let deleted = this.#deleteSnapshots(now, BATCH);
      snapshotsDeleted += deleted;
      if (deleted === 0) {
        deleted = this.#deleteAlerts('SELECT id FROM alerts a WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.alert_id = a.id AND o.delivered_at IS NULL) ORDER BY seq LIMIT ?');
        alertsDeleted += deleted;
      }
      // A disk filled by something else never costs the centre an alert; only our own quota does.
      if (deleted === 0 && pressure === 'quota') {
        deleted = this.#deleteAlerts("SELECT id FROM alerts ORDER BY severity = 'emergency', seq LIMIT ?", undefined, UNDELIVERED_BATCH);
        undeliveredDropped += deleted;
      }
      store.compact();
      if (deleted === 0) {
        stuck = true;
        break;
      }
    }
    if (undeliveredDropped > 0) {
      this.#undeliveredDropped += undeliveredDropped;
      log.error({ undeliveredDropped, quotaMb: config.quotaMb }, 'storage quota reached with only undelivered alerts left: oldest dropped');
    }
    this.#full = stuck;
    if (stuck) log.error({ quotaMb: config.quotaMb, incomingBytes }, 'no room for new data: nothing left to evict');
    const usage = this.usage();
    if (snapshotsDeleted + alertsDeleted > 0) log.info({ snapshotsDeleted, alertsDeleted, usedBytes: usage.usedBytes }, 'retention deleted old data');
    return { ...usage, snapshotsDeleted, alertsDeleted, undeliveredDropped };
  }

  /** Why room must be made: the store's own quota, or the file system running out (whatever filled it). */
  #pressure(incomingBytes: number): 'quota' | 'disk' | undefined {
    const { store, snapshotsDir } = this.context;
    if (store.fileBytes() + store.snapshots.totalBytes() + incomingBytes > this.quotaBytes - this.headroomBytes) return 'quota';
    if (freeBytes(snapshotsDir) < incomingBytes + this.headroomBytes) return 'disk';
    return undefined;
  }

  #run(): void {
    try {
      this.enforce();
    } catch (error) {
      log.error({ err: error }, 'retention run failed');
    }
  }

  #deleteSnapshots(before: number, limit: number): number {
    const { store } = this.context;
    let deleted = 0;
    for (;;) {
      const batch = store.snapshots.oldest(before, Math.min(BATCH, limit - deleted));
      if (batch.length === 0) return deleted;
      this.#removeFiles(batch);
      store.relaxed(() => {
        for (const snapshot of batch) store.snapshots.delete(snapshot.id);
      });
      deleted += batch.length;
      if (deleted >= limit) return deleted;
    }
  }

  /** Deletes alerts selected by `sql` (parameters: the optional bound, then the batch size) with their pictures and rows. */
  #deleteAlerts(sql: string, bound?: number, batch = BATCH): number {
    const { store } = this.context;
    const select = store.db.prepare(sql);
    const ids = (bound === undefined ? select.all(batch) : select.all(bound, batch)) as { id: string }[];
    if (ids.length === 0) return 0;
    for (const { id } of ids) this.#removeFiles(store.snapshots.forAlert(id));
    const remove = store.db.prepare('DELETE FROM alerts WHERE id = ?');
    store.durable(() => {
      for (const { id } of ids) remove.run(id);
    });
    return ids.length;
  }

  #removeFiles(snapshots: readonly StoredSnapshot[]): void {
    for (const snapshot of snapshots) rmSync(join(this.context.snapshotsDir, snapshot.path), { force: true });
  }
}

/** Space left for an unprivileged writer on the file system holding `dir`. */
function freeBytes(dir: string): number {
  mkdirSync(dir, { recursive: true });
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
}
