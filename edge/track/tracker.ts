import type { TrackerConfig } from '../config/perception.js';
import { iou, type Box } from '../geometry/geometry.js';
import type { Detection } from '../vision/detection.js';
import { assign } from './assignment.js';
import { BoxFilter } from './kalman.js';

export type TrackState = 'tentative' | 'confirmed' | 'lost';

/** One object followed over time. Rules only look at confirmed (and briefly lost) tracks. */
export interface Track {
  /** Per tracker (per camera), from 1, never reused. */
  readonly id: number;
  readonly label: string;
  readonly classId: number;
  /** Score of the detection last matched. */
  readonly score: number;
  /** Filtered box after the last match, in frame pixels. */
  readonly box: Box;
  readonly state: TrackState;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  /** Detector runs this track was matched in. */
  readonly hits: number;
  /** Matched to a detection in the latest update. */
  readonly matched: boolean;
  /** Confirmed and its detections have stayed in one place for STILL_MS: re-checked rarely, kept while not looked at. */
  readonly stationary: boolean;
}

export interface TrackerOptions {
  /**
   * How long a stationary track the detector was not pointed at is kept (beyond lostSeconds): the scheduler re-checks
   * stationary objects only this often, and a person standing still must not be dropped in between. 0 keeps none.
   */
  readonly holdStillMs: number;
}

interface LiveTrack {
  id: number;
  label: string;
  classId: number;
  score: number;
  box: Box;
  state: TrackState;
  firstSeenAt: number;
  lastSeenAt: number;
  hits: number;
  matched: boolean;
  filter: BoxFilter;
  filterAt: number;
  predicted: Box;
  /** The detection box last matched: where the object surely was at lastSeenAt. */
  observed: Box;
  /** Centre of the detection the track has stayed near since `stillSince`. */
  stillAt: readonly [number, number];
  stillSince: number;
  /** Last frame a stationary track was kept although not looked at; counts as seen for the lost timeout. */
  heldAt: number;
}

/** ByteTrack only lets low-score detections extend a track when they overlap it well; a loose gate here swaps ids. */
const LOW_SCORE_IOU = 0.45;
const NEVER = 2;
/** Detector boxes of one still person wander by about this fraction of their height from run to run. */
const BOX_JITTER = 0.15;
/** A person's box height changes little over a few seconds; a bigger change is another person (or a merged pair). */
const MAX_SIZE_RATIO = 1.5;
/**
 * A confirmed track whose detections stay within STILL_TOLERANCE box heights of one point (twice the detector's
 * jitter) for STILL_MS is stationary. A walker moves about a box height per second, so it never qualifies.
 */
const STILL_TOLERANCE = 0.3;
const STILL_MS = 3000;

/**
 * ByteTrack-style multi-object tracker: a Kalman motion model, high-score detections matched first (to confirmed
 * and lost tracks), then low-score detections to keep confirmed tracks through partial occlusion, then (as OC-SORT's
 * observation-centric recovery) the tracks still unmatched by distance from their last detection, then tentative
 * tracks; classes never mix, so a person and a car cannot swap ids. Deterministic for a given input sequence.
 *
 * The recovery stage is what keeps ids when detector runs come irregularly (live cameras skip frames while the CPU
 * is busy): after 0.5-1 s a walker's predicted box often no longer overlaps the new detection, especially when its
 * velocity was learnt from boxes that changed shape in an occlusion, but the detection is still within walking
 * distance of where the walker was last seen. Every stage is a global (Hungarian) assignment, so the two people
 * of a side-by-side pair each keep the nearer detection rather than the first track taking the best one.
 */
export class Tracker {
  readonly #config: TrackerConfig;
  #tracks: LiveTrack[] = [];
  readonly #holdStillMs: number;
  #nextId = 1;

  constructor(config: TrackerConfig, options: TrackerOptions = { holdStillMs: 0 }) {
    this.#config = config;
    this.#holdStillMs = options.holdStillMs;
  }

  /**
   * Feeds one detector run at time `ts` (ms). `searched` is the region the detector looked at: tracks outside it
   * were not looked for, so they are neither marked lost nor dropped for a miss (only by the lost timeout).
   */
  update(detections: readonly Detection[], ts: number, searched?: Box): Track[] {
    for (const t of this.#tracks) {
      t.predicted = t.filter.peek(Math.max(0, ts - t.filterAt) / 1000);
      t.matched = false;
    }
    const high = detections.filter((d) => d.score >= this.#config.highScore);
    const low = detections.filter((d) => d.score < this.#config.highScore && d.score >= this.#config.lowScore);

    const active = this.#tracks.filter((t) => t.state !== 'tentative');
    const restHigh = this.#match(active, high, this.#config.matchIou, ts);
    const stillTracked = active.filter((t) => !t.matched && t.state === 'confirmed');
    this.#match(stillTracked, low, LOW_SCORE_IOU, ts);
    const unclaimed = this.#recover(
      active.filter((t) => !t.matched),
      restHigh,
      ts,
    );
    const tentative = this.#tracks.filter((t) => t.state === 'tentative');
    const unmatched = this.#match(tentative, unclaimed, this.#config.matchIou, ts);
    const newcomers = this.#recover(
      tentative.filter((t) => !t.matched),
      unmatched,
      ts,
    );

    const lostMs = this.#config.lostSeconds * 1000;
    this.#tracks = this.#tracks.filter((t) => {
      if (t.matched) return true;
      const looked = searched === undefined || contains(searched, t.predicted);
      if (t.state === 'tentative') return !looked;
      if (looked) t.state = 'lost';
      else if (isStationary(t, ts) && ts - t.lastSeenAt <= this.#holdStillMs) t.heldAt = ts;
      return ts - Math.max(t.lastSeenAt, t.heldAt) <= lostMs;
    });
    for (const d of newcomers) this.#tracks.push(this.#start(d, ts));
    return this.tracks(ts);
  }

  /** A frame the detector did not look at: tracks stay where they were, none counts as freshly matched. */
  skip(ts: number): Track[] {
    for (const t of this.#tracks) t.matched = false;
    return this.tracks(ts);
  }

  /** Live tracks, oldest first; `ts` (the current frame) decides which are stationary. */
  tracks(ts: number): Track[] {
    return this.#tracks.map((t) => ({
      id: t.id,
      label: t.label,
      classId: t.classId,
      score: t.score,
      box: t.box,
      state: t.state,
      firstSeenAt: t.firstSeenAt,
      lastSeenAt: t.lastSeenAt,
      hits: t.hits,
      matched: t.matched,
      stationary: isStationary(t, ts),
    }));
  }

  /** Matches detections to tracks optimally by IoU of the predicted box; returns the detections left over. */
  #match(tracks: LiveTrack[], detections: readonly Detection[], minIou: number, ts: number): Detection[] {
    if (tracks.length === 0 || detections.length === 0) return [...detections];
    const cost = tracks.map((t) => detections.map((d) => (d.label === t.label ? 1 - iou(t.predicted, d.box) : NEVER)));
    return this.#assign(tracks, detections, cost, 1 - minIou + 1e-9, ts);
  }

  /**
   * Matches tracks that overlap no detection by the distance of each detection's centre from the track's last
   * detection, in units of that box's height (so near and far people compare alike). A pair is allowed only when
   * the object could have walked that far since (maxSpeed x elapsed time, plus detector jitter) and the box
   * heights are alike; the cost is the fraction of that reach used, so the nearest plausible pairing wins.
   */
  #recover(tracks: LiveTrack[], detections: readonly Detection[], ts: number): Detection[] {
    if (tracks.length === 0 || detections.length === 0) return [...detections];
    const cost = tracks.map((t) => {
      const h = Math.max(1, t.observed.y2 - t.observed.y1);
      const reach = BOX_JITTER + (this.#config.maxSpeed * Math.max(0, ts - t.lastSeenAt)) / 1000;
      return detections.map((d) => {
        const dh = Math.max(1, d.box.y2 - d.box.y1);
        if (d.label !== t.label || Math.max(dh / h, h / dh) > MAX_SIZE_RATIO) return NEVER;
        return centreDistance(t.observed, d.box) / h / reach;
      });
    });
    return this.#assign(tracks, detections, cost, 1, ts);
  }

  /** Applies the optimal assignment of `cost` (rows tracks, columns detections); returns the detections left over. */
  #assign(tracks: LiveTrack[], detections: readonly Detection[], cost: number[][], forbidden: number, ts: number): Detection[] {
    const used = new Set<number>();
    for (const [row, col] of assign(cost, forbidden)) {
      const track = tracks[row];
      const detection = detections[col];
      if (track === undefined || detection === undefined) continue;
      this.#apply(track, detection, ts);
      used.add(col);
    }
    return detections.filter((_, i) => !used.has(i));
  }

  #apply(t: LiveTrack, d: Detection, ts: number): void {
    t.filter.predict(Math.max(0, ts - t.filterAt) / 1000);
    t.filter.update(d.box);
    t.filterAt = ts;
    t.box = t.filter.box();
    t.observed = d.box;
    const centre = centreOf(d.box);
    if (Math.hypot(centre[0] - t.stillAt[0], centre[1] - t.stillAt[1]) > STILL_TOLERANCE * Math.max(1, d.box.y2 - d.box.y1)) {
      t.stillAt = centre;
      t.stillSince = ts;
    }
    t.score = d.score;
    t.lastSeenAt = ts;
    t.hits += 1;
    t.matched = true;
    if (t.state === 'lost' || t.hits >= this.#config.confirmFrames) t.state = 'confirmed';
  }

  #start(d: Detection, ts: number): LiveTrack {
    const filter = new BoxFilter(d.box);
    return {
      id: this.#nextId++,
      label: d.label,
      classId: d.classId,
      score: d.score,
      box: d.box,
      state: this.#config.confirmFrames <= 1 ? 'confirmed' : 'tentative',
      firstSeenAt: ts,
      lastSeenAt: ts,
      hits: 1,
      matched: true,
      filter,
      filterAt: ts,
      predicted: d.box,
      observed: d.box,
      stillAt: centreOf(d.box),
      stillSince: ts,
      heldAt: ts,
    };
  }
}

/** Only a confirmed track: a lost one was looked for and missed, so it is re-checked at the ordinary interval. */
function isStationary(t: LiveTrack, ts: number): boolean {
  return t.state === 'confirmed' && ts - t.stillSince >= STILL_MS;
}

function centreOf(box: Box): readonly [number, number] {
  return [(box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2];
}

/** The detector searched for a box when the box's centre lies in the searched region. */
function contains(region: Box, box: Box): boolean {
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  return cx >= region.x1 && cx <= region.x2 && cy >= region.y1 && cy <= region.y2;
}

function centreDistance(a: Box, b: Box): number {
  return Math.hypot((a.x1 + a.x2 - b.x1 - b.x2) / 2, (a.y1 + a.y2 - b.y1 - b.y2) / 2);
}
