import assert from 'node:assert/strict';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { visionSchema } from '../../../edge/config/vision.js';
import type { RgbImage } from '../../../edge/ingest/frame.js';
import { Detector } from '../../../edge/vision/detector.js';
import { DEFAULT_MODELS_DIR, inputVariants, readManifest, selectModel } from '../../../edge/vision/manifest.js';
import { ModelSession } from '../../../edge/vision/model-session.js';
import { runOnRegion } from '../../../edge/vision/region-inference.js';
import { VTEST, videoFrames } from '../../helpers/frames.js';
import { tempDir } from '../../helpers/tmp.js';
import { matchBoxes } from './models.js';

/**
 * The committed detector's other input shapes (vision.detector.input: fit) against its square input, on the same
 * pictures: a 4:3 frame (vtest itself) and a 16:9 one (vtest scaled to 1280x720, as a camera's detect size does).
 */
const FRAMES = [40, 180, 320, 460, 600, 740];
const config = { ...visionSchema.parse({}).detector, labels: ['person'] };

describe('the detector at fitted inputs', () => {
  let square: ModelSession;
  let fitted: ModelSession;
  let pictures: { readonly name: string; readonly frames: RgbImage[]; readonly size: { width: number; height: number } }[];

  before(async () => {
    const manifest = await readManifest(`${DEFAULT_MODELS_DIR}manifest.json`);
    const entry = selectModel(manifest, 'detector', 'int8');
    square = new ModelSession({ modelsDir: DEFAULT_MODELS_DIR, entry, threads: 2, queueSize: 8 });
    fitted = new ModelSession({ modelsDir: DEFAULT_MODELS_DIR, entry, inputs: inputVariants(manifest, entry), threads: 2, queueSize: 8 });
    await Promise.all([square.start(), fitted.start()]);
    pictures = [
      { name: '4:3 (768x576)', frames: await videoFrames(VTEST, FRAMES), size: { width: 416, height: 320 } },
      { name: '16:9 (1280x720)', frames: await videoFrames(VTEST, FRAMES, { width: 1280, height: 720 }), size: { width: 416, height: 256 } },
    ];
  });

  after(async () => {
    await Promise.all([square.stop(), fitted.stop()]);
  });

  it('runs a 4:3 frame at 416x320 and a 16:9 frame at 416x256, a square input still at 416x416', async () => {
    for (const { name, frames, size } of pictures) {
      const run = await runOnRegion(fitted, frames[0] as RgbImage, {});
      assert.deepEqual(run?.size, size, name);
      assert.deepEqual((await runOnRegion(square, frames[0] as RgbImage, {}))?.size, { width: 416, height: 416 }, name);
    }
    const region = await runOnRegion(fitted, pictures[0]?.frames[0] as RgbImage, { roi: { x1: 100, y1: 100, x2: 400, y2: 400 } });
    assert.deepEqual(region?.size, { width: 416, height: 416 }, 'a square motion region keeps the square input');
  });

  it('leaves out an input shape that cannot be loaded: its pictures run at the next input that holds them, the detector stays', async () => {
    const dir = await tempDir('fitted-input');
    try {
      const manifest = await readManifest(`${DEFAULT_MODELS_DIR}manifest.json`);
      const entry = selectModel(manifest, 'detector', 'int8');
      const [smallest, ...rest] = inputVariants(manifest, entry);
      assert.ok(smallest !== undefined && rest.length > 0, 'the committed manifest has other input shapes');
      await copyFile(join(DEFAULT_MODELS_DIR, entry.file), join(dir.path, entry.file));
      for (const build of rest) await copyFile(join(DEFAULT_MODELS_DIR, build.file), join(dir.path, build.file));
      await writeFile(join(dir.path, smallest.file), 'not a model');
      const session = new ModelSession({ modelsDir: dir.path, entry, inputs: [smallest, ...rest], threads: 1, queueSize: 2 });
      await session.start();
      try {
        assert.deepEqual(session.inputs.map((build) => build.name), [entry.name, ...rest.map((build) => build.name)]);
        const wide = pictures[1]?.frames[0] as RgbImage;
        assert.deepEqual((await runOnRegion(session, wide, {}))?.size, { width: 416, height: 320 }, 'a 16:9 frame falls back to the next input that holds it');
      } finally {
        await session.stop();
      }
    } finally {
      await dir.remove();
    }
  });

  it('finds the same people as the square input: >= 95% of its person boxes at IoU >= 0.8 each way', async () => {
    const a = new Detector({ session: square, config });
    const b = new Detector({ session: fitted, config });
    a.start();
    b.start();
    for (const { name, frames } of pictures) {
      let reference = 0;
      let found = 0;
      let matched = 0;
      for (const frame of frames) {
        const want = await a.detect(frame, { camera: 'test' });
        const got = await b.detect(frame, { camera: 'test' });
        reference += want.length;
        found += got.length;
        matched += matchBoxes(want.map((d) => d.box), got.map((d) => d.box), 0.8).pairs.length;
      }
      assert.ok(reference >= 20, `${name}: expected at least 20 person boxes over ${FRAMES.length} frames, got ${reference}`);
      assert.ok(matched >= 0.95 * reference, `${name}: ${matched} of the square input's ${reference} person boxes matched`);
      assert.ok(matched >= 0.95 * found, `${name}: ${matched} of the fitted input's ${found} person boxes matched`);
    }
  });
});
