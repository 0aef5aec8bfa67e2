import { join } from 'node:path';
import { Gallery, type EnrollRequest } from '../../edge/gallery/gallery.js';
import { Store } from '../../edge/store/store.js';
import { SyntheticFaces } from '../../scripts/bench/lib/synthetic-faces.js';

export const DIMENSIONS = 1024;

/** Synthetic 1024-value face embeddings shaped like faceres ones (see scripts/bench/lib/synthetic-faces.ts). */
export function syntheticFaces(seed: number): SyntheticFaces {
  return new SyntheticFaces(Float32Array.from({ length: DIMENSIONS }, (_, i) => 0.2 + Math.abs(Math.sin(i * 0.37))), seed);
}

export interface OpenGallery {
  readonly store: Store;
  readonly gallery: Gallery;
  readonly path: string;
  readonly keyFile: string;
  close(): void;
}

/** A started store (huxiao.db in `dir`) and gallery (key file gallery.key beside it unless given). */
export function openGallery(dir: string, options: { keyFile?: string; clock?: () => number } = {}): OpenGallery {
  const path = join(dir, 'huxiao.db');
  const keyFile = options.keyFile ?? join(dir, 'gallery.key');
  const store = new Store({ path, ...(options.clock === undefined ? {} : { clock: options.clock }) });
  store.start();
  const gallery = new Gallery({ store, keyFile });
  try {
    gallery.start();
  } catch (error) {
    store.stop();
    throw error;
  }
  return {
    store,
    gallery,
    path,
    keyFile,
    close: () => {
      gallery.stop();
      store.stop();
    },
  };
}

/** An enrollment of a student with two photos of one synthetic identity; returns the request and a third photo. */
export function student(faces: SyntheticFaces, id: string, name: string, more: Partial<EnrollRequest> = {}): { request: EnrollRequest; probe: Float32Array } {
  const identity = faces.identity();
  return {
    request: { id, list: 'students', name, class: '三年级二班', school: '东湖小学', consent: `监护人同意书-${id}`, embeddings: [faces.photo(identity), faces.photo(identity)], by: 'installer-li', ...more },
    probe: faces.photo(identity),
  };
}
