import type { Identity } from '../rules/hit.js';
import type { FaceQuality } from './face-quality.js';
import type { FaceView } from './head-face.js';
import type { IdentityMatcher } from './matcher.js';

/** Face views kept per unidentified track: the best few, so one track never holds more biometric data than this. */
export const VIEWS_PER_TRACK = 3;

/**
 * Two views that agree must be this far apart on the frame clock: a person standing still gives nearly the same
 * picture in consecutive frames, so agreement within a few frames is one lucky view counted twice.
 */
export const MIN_VIEW_GAP_MS = 300;

/**
 * A view counts for a person only when the nearest other person scores at least this much lower. In the measured
 * group-photo faces the own score led the best other person's by at least 11.9 points (docs/identity.md); two people
 * within 5 points of each other near the threshold are a look-alike pair the gallery cannot tell apart from this face.
 */
export const MATCH_MARGIN = 5;

/**
 * How useful a view is for recognition, to keep the best ones: face size up to the 112 px template (larger adds no
 * detail for the embedder's input), times sharpness up to 0.2 (about the median of the group-photo faces; sharper
 * adds little). Frontalness within the probe limits is not ranked: faces turned to nose offset 0.5 still scored ~90.
 */
export function viewRank(quality: FaceQuality): number {
  return Math.min(quality.sizePx, 112) * Math.min(quality.sharpness, 0.2);
}

interface Vote {
  readonly personId: string;
  readonly list: string;
  readonly score: number;
  readonly at: number;
}

function vote(view: FaceView, matcher: IdentityMatcher): Vote | undefined {
  const match = matcher.match(view.embedding);
  if (match === undefined || match.score < matcher.threshold(match.list)) return undefined;
  if (match.runnerUp !== undefined && match.score - match.runnerUp < MATCH_MARGIN) return undefined;
  return { personId: match.personId, list: match.list, score: match.score, at: view.at };
}

/**
 * The identity a track's views agree on, or undefined: at least two views at least MIN_VIEW_GAP_MS apart match the
 * same person at the list's threshold with the margin over anyone else, and no view matches someone else. Views are
 * matched afresh each time, so a person removed from the gallery is not identified from an earlier match.
 */
export function decideIdentity(views: readonly FaceView[], matcher: IdentityMatcher): Identity | undefined {
  const votes = views.flatMap((view) => vote(view, matcher) ?? []);
  const first = votes[0];
  if (first === undefined || votes.some((v) => v.personId !== first.personId)) return undefined;
  const times = votes.map((v) => v.at);
  if (Math.max(...times) - Math.min(...times) < MIN_VIEW_GAP_MS) return undefined;
  return { personId: first.personId, list: first.list, score: Math.max(...votes.map((v) => v.score)) };
}

/** The best VIEWS_PER_TRACK face views of one track, best first. */
export class TrackFaces {
  #views: FaceView[] = [];

  get views(): readonly FaceView[] {
    return this.#views;
  }

  add(view: FaceView): void {
    this.#views = [...this.#views, view].sort((a, b) => viewRank(b.quality) - viewRank(a.quality)).slice(0, VIEWS_PER_TRACK);
  }

  /** Forgets every view (the track was identified or ended): nothing of an unknown face outlives its track. */
  clear(): void {
    this.#views = [];
  }
}
