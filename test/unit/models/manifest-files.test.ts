import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readManifest } from '../../../edge/vision/manifest.js';

const MODELS_DIR = join(import.meta.dirname, '../../../../models');

describe('models/manifest.json', () => {
  it('lists files that exist with the listed size and sha256', async () => {
    const manifest = await readManifest(join(MODELS_DIR, 'manifest.json'));
    assert.ok(manifest.models.length >= 6);
    for (const entry of manifest.models) {
      const bytes = await readFile(join(MODELS_DIR, entry.file));
      assert.equal(bytes.byteLength, entry.bytes, `${entry.file} size`);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), entry.sha256, `${entry.file} sha256`);
    }
  });

  it('ships an FP32 and an INT8 file of every model at each of its input shapes, and one default per role', async () => {
    const manifest = await readManifest(join(MODELS_DIR, 'manifest.json'));
    const shapeOf = (m: (typeof manifest.models)[number]): string => `${m.model} ${m.input.shape.join('x')}`;
    for (const shape of new Set(manifest.models.map(shapeOf))) {
      const precisions = manifest.models.filter((m) => shapeOf(m) === shape).map((m) => m.precision).sort();
      assert.deepEqual(precisions, ['fp32', 'int8'], shape);
    }
    for (const variant of manifest.models.filter((m) => m.inputOf !== undefined)) {
      assert.equal(manifest.models.find((m) => m.name === variant.inputOf)?.precision, variant.precision, `${variant.name} is another input of its own precision's file`);
    }
    for (const role of ['detector', 'face-detector', 'face-embedder'] as const) {
      assert.equal(manifest.models.filter((m) => m.role === role && m.default).length, 1, role);
    }
    const detector = manifest.models.find((m) => m.role === 'detector' && m.default);
    assert.equal(detector?.precision, 'int8');
    assert.equal(detector.labels?.[0], 'person');
    assert.equal(detector.labels.length, 80);
  });
});
