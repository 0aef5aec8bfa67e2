import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseManifest, readManifest } from '../../../edge/vision/manifest.js';
import { modelEntry as entry } from '../../helpers/model-entry.js';
import { autoCandidates, choosePrecision, INT8_MIN_GAIN, median, namedPrecision } from '../../../edge/vision/precision-choice.js';

const MODELS_DIR = join(import.meta.dirname, '../../../../models');

describe('precision choice', () => {
  it('keeps INT8 only when its median is at least 5% below FP32', () => {
    assert.equal(INT8_MIN_GAIN, 0.05);
    assert.equal(choosePrecision({ int8: 20, fp32: 40 }), 'int8');
    assert.equal(choosePrecision({ int8: 95, fp32: 100 }), 'int8', 'exactly 5% faster wins');
    assert.equal(choosePrecision({ int8: 96, fp32: 100 }), 'fp32', '4% faster is a tie, and a tie goes to the reference');
    assert.equal(choosePrecision({ int8: 100, fp32: 100 }), 'fp32');
    // The Zen 1 box of issue 15: INT8 nanodet at 0.92-0.95x the speed of FP32.
    assert.equal(choosePrecision({ int8: 100 / 0.93, fp32: 100 }), 'fp32');
    assert.equal(choosePrecision({ int8: 91, fp32: 100 }, 0.1), 'fp32', 'the margin is a parameter');
  });

  it('takes the median, so one slow run (another process took the core) does not decide', () => {
    assert.equal(median([20, 21, 500, 19, 22]), 21);
    assert.equal(median([5]), 5);
    assert.throws(() => median([]), /no samples/);
  });

  it('auto may pick between INT8 and its FP32 twin only where INT8 is the default (it passed its gate)', () => {
    const manifest = parseManifest(
      {
        version: 1,
        models: [
          entry('yolo-fp32', { model: 'yolo', precision: 'fp32' }),
          entry('nanodet-int8', { default: true }),
          entry('nanodet-fp32', { precision: 'fp32' }),
          entry('face-int8', { model: 'face', role: 'face-detector', labels: undefined }),
          entry('face-fp32', { model: 'face', role: 'face-detector', precision: 'fp32', default: true, labels: undefined }),
          entry('emb-int8', { model: 'emb', role: 'face-embedder', default: true, labels: undefined }),
          entry('emb-fp32', { model: 'emb', role: 'face-embedder', precision: 'fp32', labels: undefined }),
        ],
      },
      'm.json',
    );
    const detector = autoCandidates(manifest, 'detector');
    assert.deepEqual(detector.entries.map((e) => e.name), ['nanodet-int8', 'nanodet-fp32'], 'the same model at FP32, never another model');
    assert.equal(detector.single, undefined);
    const face = autoCandidates(manifest, 'face-detector');
    assert.deepEqual(face.entries.map((e) => e.name), ['face-fp32'], 'an INT8 that is not the default failed its gate');
    assert.match(face.single ?? '', /gate/);
    const embedder = autoCandidates(manifest, 'face-embedder');
    assert.deepEqual(embedder.entries.map((e) => e.name), ['emb-int8'], 'the embedder keeps the build its score is calibrated for');
    assert.match(embedder.single ?? '', /calibrated for emb-int8/);
  });

  it('an INT8 default without an FP32 twin is the only candidate', () => {
    const manifest = parseManifest({ version: 1, models: [entry('nanodet-int8', { default: true })] }, 'm.json');
    assert.deepEqual(autoCandidates(manifest, 'detector').entries.map((e) => e.name), ['nanodet-int8']);
    assert.match(autoCandidates(manifest, 'detector').single ?? '', /no FP32 build/);
  });

  it('on the committed manifest: nanodet INT8 and FP32 are candidates, blazeface-int8 (gate failed) never is', async () => {
    const manifest = await readManifest(join(MODELS_DIR, 'manifest.json'));
    assert.deepEqual(autoCandidates(manifest, 'detector').entries.map((e) => e.name), ['nanodet-int8', 'nanodet-fp32']);
    assert.deepEqual(autoCandidates(manifest, 'face-detector').entries.map((e) => e.name), ['blazeface-fp32']);
    assert.deepEqual(autoCandidates(manifest, 'face-embedder').entries.map((e) => e.name), ['faceres-int8']);
    // The default flag stands for the gate only because the build sets it so; the recorded gate text must agree.
    const blazefaceInt8 = manifest.models.find((m) => m.name === 'blazeface-int8');
    assert.match(blazefaceInt8?.evidence ?? '', /INT8 file failed the accuracy gate/);
    for (const m of manifest.models.filter((e) => e.precision === 'int8' && e.default)) assert.match(m.evidence ?? '', /^INT8 is the default: /, m.name);
  });

  it('an explicit setting names its precision; auto names none (the manifest default for tools that never measure)', () => {
    assert.equal(namedPrecision('int8'), 'int8');
    assert.equal(namedPrecision('fp32'), 'fp32');
    assert.equal(namedPrecision('auto'), undefined);
  });
});
