import type { TrackerConfig } from '../config/perception.js';
import { iou } from '../rules/geometry.js';
import type { Box, Detection } from '../vision/detection.js';
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
}

/** ByteTrack only lets low-score detections extend a track when they overlap it well; a loose gate here swaps ids. */
const LOW_SCORE_IOU = 0.45;
const NEVER = 2;

/**
 * ByteTrack-style multi-object tracker: a Kalman motion model, high-score detections matched first (to confirmed
 * and lost tracks), then low-score detections to keep confirmed tracks through partial occlusion, then tentative
 * tracks; classes never mix, so a person and a car cannot swap ids. Deterministic for a given input sequence.
 */
export class Tracker {
  readonly #config: TrackerConfig;
  #tracks: LiveTrack[] = [];
  #nextId = 1;

  constructor(config: TrackerConfig) {
    this.#config = config;
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
    const tentative = this.#tracks.filter((t) => t.state === 'tentative');
    const newcomers = this.#match(tentative, restHigh, this.#config.matchIou, ts);

    const lostMs = this.#config.lostSeconds * 1000;
    this.#tracks = this.#tracks.filter((t) => {
      if (t.matched) return true;
      const looked = searched === undefined || contains(searched, t.predicted);
      if (t.state === 'tentative') return !looked;
      if (looked) t.state = 'lost';
      return ts - t.lastSeenAt <= lostMs;
    });
    for (const d of newcomers) this.#tracks.push(this.#start(d, ts));
    return this.tracks();
  }

  /** A frame the detector did not look at: tracks stay where they were, none counts as freshly matched. */
  skip(): Track[] {
    for (const t of this.#tracks) t.matched = false;
    return this.tracks();
  }

  /** Live tracks, oldest first. */
  tracks(): Track[] {
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
    }));
  }

  /** Matches detections to tracks optimally by IoU of the predicted box; returns the detections left over. */
  #match(tracks: LiveTrack[], detections: readonly Detection[], minIou: number, ts: number): Detection[] {
    if (tracks.length === 0 || detections.length === 0) return [...detections];
    const cost = tracks.map((t) => detections.map((d) => (d.label === t.label ? 1 - iou(t.predicted, d.box) : NEVER)));
    const used = new Set<number>();
    for (const [row, col] of assign(cost, 1 - minIou + 1e-9)) {
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
    };
  }
}

/** The detector searched for a box when the box's centre lies in the searched region. */
function contains(region: Box, box: Box): boolean {
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  return cx >= region.x1 && cx <= region.x2 && cy >= region.y1 && cy <= region.y2;
}
