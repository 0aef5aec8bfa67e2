/**
 * The 0-100 similarity score: a piecewise-linear map of the embedder's cosine through anchor points placed on
 * measured impostor (different people) and genuine (same person) distributions, so that a score is a statement about
 * false matches rather than a percentage of anything. Measured with `npm run calibrate:faces`
 * (scripts/identity/calibrate.ts) for blazeface-fp32 + faceres-int8 on the 8-person face set; docs/identity.md has the
 * tables and what they cannot show. Another embedder needs its own calibration: cosines are not comparable.
 */
export interface ScoreAnchor {
  readonly cosine: number;
  readonly score: number;
}

/** Cosine -> score, increasing in both; below the first anchor the score is 0, above the last 100. */
export const SCORE_ANCHORS: readonly ScoreAnchor[] = [
  { cosine: 0, score: 0 },
  // The median impostor pair over every condition measured (0.402): a typical stranger.
  { cosine: 0.41, score: 50 },
  // About 1 in 100 impostor pairs reach it (pooled p99: 0.568).
  { cosine: 0.57, score: 80 },
  // About 1 in 1000 impostor pairs reach it (pooled p99.9: 0.613, at the resolution of the data).
  { cosine: 0.61, score: 85 },
  // Above the highest impostor pair of every condition (0.645, a probe blurred with sigma 3 px) with a margin of 0.015:
  // none of the 9875 impostor pairs reached 90.
  { cosine: 0.66, score: 90 },
  // 0.1 above the 90 anchor: 30% of the pairs of two good portraits of one person reach it.
  { cosine: 0.76, score: 95 },
  { cosine: 1, score: 100 },
];

/** The threshold the district programmes use for a match ("90%"). */
export const DEFAULT_THRESHOLD = 90;

function interpolate(value: number, from: (anchor: ScoreAnchor) => number, to: (anchor: ScoreAnchor) => number): number {
  const first = SCORE_ANCHORS[0];
  const last = SCORE_ANCHORS.at(-1);
  if (first === undefined || last === undefined) throw new Error('no score anchors');
  if (value <= from(first)) return to(first);
  for (let i = 1; i < SCORE_ANCHORS.length; i += 1) {
    const lower = SCORE_ANCHORS[i - 1];
    const upper = SCORE_ANCHORS[i];
    if (lower === undefined || upper === undefined) break;
    if (value <= from(upper)) return to(lower) + ((value - from(lower)) / (from(upper) - from(lower))) * (to(upper) - to(lower));
  }
  return to(last);
}

/** Score of a cosine similarity, clamped to 0..100 and rounded to 0.1, so the printed score is the compared one. */
export function similarityScore(cosine: number): number {
  if (!Number.isFinite(cosine)) throw new Error(`a cosine similarity must be finite, got ${cosine}`);
  return Math.round(interpolate(cosine, (a) => a.cosine, (a) => a.score) * 10) / 10;
}

/** The cosine at which a score starts (the inverse map), e.g. for tables. */
export function cosineForScore(score: number): number {
  return interpolate(score, (a) => a.score, (a) => a.cosine);
}

export function isMatch(score: number, threshold: number): boolean {
  return score >= threshold;
}

export interface MatchRates {
  readonly threshold: number;
  readonly genuinePairs: number;
  readonly trueMatches: number;
  /** True match rate: genuine pairs at or above the threshold; null without genuine pairs. */
  readonly tmr: number | null;
  readonly impostorPairs: number;
  readonly falseMatches: number;
  /** False match rate: impostor pairs at or above the threshold; null without impostor pairs. */
  readonly fmr: number | null;
}

export function matchRates(pairs: readonly { readonly score: number; readonly same: boolean }[], threshold: number): MatchRates {
  const genuine = pairs.filter((pair) => pair.same);
  const impostor = pairs.filter((pair) => !pair.same);
  const trueMatches = genuine.filter((pair) => isMatch(pair.score, threshold)).length;
  const falseMatches = impostor.filter((pair) => isMatch(pair.score, threshold)).length;
  return {
    threshold,
    genuinePairs: genuine.length,
    trueMatches,
    tmr: genuine.length === 0 ? null : trueMatches / genuine.length,
    impostorPairs: impostor.length,
    falseMatches,
    fmr: impostor.length === 0 ? null : falseMatches / impostor.length,
  };
}
