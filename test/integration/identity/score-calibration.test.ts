import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { visionSchema } from '../../../edge/config/vision.js';
import { rootLogger } from '../../../edge/log.js';
import { openFaceModels, type FaceModels } from '../../../edge/identity/face-models.js';
import { DEFAULT_THRESHOLD, similarityScore } from '../../../edge/identity/score.js';
import { CLEAN, groupSamples, portraitSamples, type Sample } from '../../../scripts/identity/face-samples.js';
import { bestPerPerson, withinPairs } from '../../../scripts/identity/pairs.js';

/**
 * What docs/identity.md claims for the score, checked on the real face set with the shipped models (the full tables
 * come from `npm run calibrate:faces`).
 */
describe('the similarity score on the shared face set', () => {
  let models: FaceModels;
  let portraits: Sample[];
  before(async () => {
    // The suite stays quiet: model sessions log "model loaded" at info.
    rootLogger.level = 'warn';
    models = await openFaceModels(visionSchema.parse({}));
    const clean = await portraitSamples(models, CLEAN, new Map());
    assert.deepEqual(clean.missed, [], 'every portrait gives a face');
    portraits = clean.samples;
  });
  after(async () => {
    await models.stop();
  });

  it('two portraits of the same person reach the default threshold more often than not', () => {
    const { genuine } = withinPairs(portraits);
    assert.equal(genuine.length, 80);
    const matched = genuine.filter((value) => similarityScore(value) >= DEFAULT_THRESHOLD).length;
    assert.ok(matched > genuine.length / 2, `${matched} of ${genuine.length} genuine pairs at ${DEFAULT_THRESHOLD}`);
    assert.ok(genuine.every((value) => similarityScore(value) >= 50), 'no genuine pair scores like a typical stranger');
  });

  it('no two portraits of different people reach 90', () => {
    const { impostor } = withinPairs(portraits);
    assert.equal(impostor.length, 700);
    const highest = Math.max(...impostor.map(similarityScore));
    assert.ok(highest < 90, `an impostor pair scored ${highest}`);
    assert.ok(highest >= 80, `the highest impostor pair scored only ${highest}: the map no longer fits the model`);
  });

  it('group-photo faces against the portrait gallery: none is matched to the wrong person at 90, most to the right one', async () => {
    const group = await groupSamples(models);
    assert.deepEqual({ missed: group.missed, unlabelled: group.unlabelled }, { missed: [], unlabelled: [] });
    let right = 0;
    for (const face of group.samples) {
      const ranked = [...bestPerPerson(face, portraits)].sort((a, b) => b[1] - a[1]);
      const [person, value] = ranked[0] ?? ['', 0];
      if (similarityScore(value) < DEFAULT_THRESHOLD) continue;
      assert.equal(person, face.person, `${face.photo} matched ${person} at ${similarityScore(value)}`);
      right += 1;
    }
    assert.ok(right > group.samples.length / 2, `${right} of ${group.samples.length} faces matched`);
  });
});
