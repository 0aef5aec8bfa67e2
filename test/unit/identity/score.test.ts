import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cosineForScore, DEFAULT_THRESHOLD, isMatch, matchRates, SCORE_ANCHORS, similarityScore } from '../../../edge/identity/score.js';

describe('similarity score', () => {
  it('passes through every anchor', () => {
    for (const anchor of SCORE_ANCHORS) assert.equal(similarityScore(anchor.cosine), anchor.score, `cosine ${anchor.cosine}`);
  });

  it('is non-decreasing in cosine and clamped to 0..100', () => {
    let previous = -1;
    for (let cosine = -1; cosine <= 1.0001; cosine += 0.001) {
      const score = similarityScore(cosine);
      assert.ok(score >= previous, `score fell from ${previous} to ${score} at cosine ${cosine}`);
      assert.ok(score >= 0 && score <= 100, `score ${score} at cosine ${cosine}`);
      previous = score;
    }
    assert.equal(similarityScore(-0.5), 0);
    assert.equal(similarityScore(1.2), 100);
  });

  it('anchors rise strictly in both cosine and score, from 0 to 100', () => {
    SCORE_ANCHORS.slice(1).forEach((anchor, i) => {
      const before = SCORE_ANCHORS[i];
      assert.ok(before !== undefined && anchor.cosine > before.cosine && anchor.score > before.score, `anchor ${i + 1}`);
    });
    assert.equal(SCORE_ANCHORS[0]?.score, 0);
    assert.equal(SCORE_ANCHORS.at(-1)?.score, 100);
  });

  it('interpolates linearly between anchors and rounds to 0.1', () => {
    // Halfway between 0.61 (85) and 0.66 (90).
    assert.equal(similarityScore(0.635), 87.5);
    assert.equal(similarityScore(0.6501), 89);
    assert.equal(similarityScore(0.65999), 90);
  });

  it('cosineForScore inverts the map', () => {
    for (const score of [10, 50, 80, 85, 87.5, 90, 95, 99]) assert.ok(Math.abs(similarityScore(cosineForScore(score)) - score) < 0.051, `score ${score}`);
    assert.equal(cosineForScore(DEFAULT_THRESHOLD), 0.66);
  });

  it('refuses a cosine that is not a number', () => {
    assert.throws(() => similarityScore(Number.NaN), /finite/);
  });

  it('matches at or above the threshold', () => {
    assert.equal(isMatch(90, 90), true);
    assert.equal(isMatch(89.9, 90), false);
  });
});

describe('match rates', () => {
  it('counts genuine and impostor pairs at the threshold', () => {
    const pairs = [
      { score: 95, same: true },
      { score: 90, same: true },
      { score: 70, same: true },
      { score: 91, same: false },
      { score: 60, same: false },
      { score: 89.9, same: false },
      { score: 10, same: false },
    ];
    assert.deepEqual(matchRates(pairs, 90), { threshold: 90, genuinePairs: 3, trueMatches: 2, tmr: 2 / 3, impostorPairs: 4, falseMatches: 1, fmr: 0.25 });
  });

  it('gives null rates for a side without pairs', () => {
    const rates = matchRates([{ score: 95, same: true }], 90);
    assert.equal(rates.tmr, 1);
    assert.equal(rates.fmr, null);
  });
});
