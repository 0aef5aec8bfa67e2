import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AlertsConfig } from '../config/alerts.js';
import type { RgbImage } from '../ingest/frame.js';
import { moduleLogger } from '../log.js';
import type { Lane } from '../store/outbox.js';
import type { Retention } from '../store/retention.js';
import type { SnapshotKind } from '../store/snapshot-rows.js';
import { isDiskFull, type Store } from '../store/store.js';
import type { Box } from '../geometry/geometry.js';
import { renderSnapshot, type Jpeg } from './snapshot.js';

export interface SnapshotJob {
  readonly alertId: string;
  readonly lane: Lane;
  readonly camera: string;
  readonly image: RgbImage;
  readonly box: Box | null;
}

export interface SnapshotWriterContext {
  readonly store: Store;
  readonly snapshotsDir: string;
  readonly options: AlertsConfig['snapshot'];
  readonly retention?: Retention;
  readonly clock: () => number;
}

const log = moduleLogger('snapshots');

/**
 * Turns a committed alert's frame into JPEG files (temp file + rename, so a crash never leaves half a picture under its
 * final name), then records them and queues them for the uplink in one transaction.
 */
export class SnapshotWriter {
  readonly context: SnapshotWriterContext;

  constructor(context: SnapshotWriterContext) {
    this.context = context;
  }

  /** Never rejects: a picture that cannot be made is logged; the alert itself is already safe. */
  async write(job: SnapshotJob): Promise<void> {
    const { store, retention } = this.context;
    try {
      const rendered = await renderSnapshot(job.image, job.box, this.context.options);
      const pictures: [SnapshotKind, Jpeg][] = rendered.crop === null ? [['frame', rendered.frame]] : [['frame', rendered.frame], ['crop', rendered.crop]];
      const bytes = pictures.reduce((sum, [, jpeg]) => sum + jpeg.data.length, 0);
      if (retention !== undefined && retention.enforce(bytes).full) {
        log.error({ alert: job.alertId, camera: job.camera, bytes }, 'snapshot skipped: storage quota full');
        return;
      }
      const now = this.context.clock();
      const day = new Date(now).toISOString().slice(0, 10);
      const written: { kind: SnapshotKind; jpeg: Jpeg; path: string }[] = [];
      for (const [kind, jpeg] of pictures) {
        const path = join(day, `${job.alertId}-${job.camera}-${kind}.jpg`);
        await writeAtomically(join(this.context.snapshotsDir, path), jpeg.data);
        written.push({ kind, jpeg, path });
      }
      store.relaxed(() => {
        for (const { kind, jpeg, path } of written) {
          store.snapshots.insert({ alertId: job.alertId, camera: job.camera, kind, path, bytes: jpeg.data.length, sha256: jpeg.sha256, width: jpeg.width, height: jpeg.height, createdAt: now });
          store.outbox.enqueue(job.lane, { kind: 'snapshot', picture: { alertId: job.alertId, kind, camera: job.camera, path, sha256: jpeg.sha256 } }, now);
        }
      });
      store.outbox.notify();
    } catch (error) {
      if (isDiskFull(error)) retention?.reportFull(`snapshot of alert ${job.alertId}`, error);
      else log.error({ alert: job.alertId, camera: job.camera, err: error }, 'snapshot failed');
    }
  }
}

async function writeAtomically(path: string, data: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${String(process.pid)}`;
  try {
    await writeFile(temp, data, { flush: true });
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
