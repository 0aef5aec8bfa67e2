import type { RuleType, Severity } from '../config/rule-vocabulary.js';
import type { Box } from '../geometry/geometry.js';
import type { RgbImage } from '../ingest/frame.js';

/**
 * Who a person track is, as face identification decided it: a gallery person id, the gallery list (`students`,
 * `keypersons:<category>`) and the 0-100 similarity score. No name: names are looked up where they are spoken.
 */
export interface Identity {
  readonly personId: string;
  readonly list: string;
  readonly score: number;
}

/** A rule decided that something happened. This is what the perception stage hands to the alert stage. */
export interface RuleHit {
  readonly kind: 'hit';
  /** Rule id from the config. */
  readonly rule: string;
  readonly type: RuleType;
  readonly severity: Severity;
  readonly camera: string;
  /** Zone or line id the rule watches. */
  readonly zone: string;
  /** Track that caused the hit; absent for rules about a zone as a whole (crowd, absence). */
  readonly trackId?: number;
  readonly label?: string;
  readonly score?: number;
  readonly box?: Box;
  /** When the object (or condition) was first seen, ms on the frame clock. */
  readonly firstSeenAt: number;
  /** Timestamp of the frame the rule decided on, ms on the frame clock. */
  readonly decidedAt: number;
  readonly frameSeq: number;
  /** Owned copy of the deciding frame, for the snapshot. */
  readonly frame?: RgbImage;
  /** Rule-specific figures: dwell seconds, people count, crossing direction, entries in window... */
  readonly details: Readonly<Record<string, number | string | boolean>>;
  /** The track's identity when the rule uses identity and the track was identified by the deciding frame. */
  readonly identity?: Identity;
}

/** The condition behind earlier hits of a rule ended (the track left the zone or was lost): repeats stop. */
export interface RuleClear {
  readonly kind: 'clear';
  readonly rule: string;
  readonly camera: string;
  readonly trackId?: number;
  readonly at: number;
}

/**
 * A track with an open hit of a rule that uses identity was identified after the hit (the first warning did not
 * wait for the face): its alert gets the identity, and the next repeat of the warning names the person.
 */
export interface RuleIdentified {
  readonly kind: 'identified';
  readonly rule: string;
  readonly camera: string;
  readonly trackId: number;
  readonly identity: Identity;
  /** Frame clock of the frame the identity was first seen on. */
  readonly at: number;
}

export type RuleEvent = RuleHit | RuleClear | RuleIdentified;

/**
 * People counted by a `count` rule over one minute of the frame clock (for crowd heat): for a zone `entered` and
 * `left`, for a line `left-to-right` and `right-to-left`. Records are data, not alerts.
 */
export interface CountRecord {
  readonly kind: 'count';
  readonly rule: string;
  readonly camera: string;
  /** Zone or line id counted. */
  readonly zone: string;
  /** Start (inclusive) and end (exclusive) of the minute, ms on the frame clock. */
  readonly from: number;
  readonly to: number;
  readonly counts: Readonly<Record<string, number>>;
}
