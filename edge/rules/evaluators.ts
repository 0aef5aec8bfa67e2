import type { RuleConfig } from '../config/rules.js';
import type { Track } from '../track/tracker.js';
import type { Crossing, Presence, ZoneUpdate } from './areas.js';
import { anchorOf, distance, unionBox, type Anchor, type Box, type Point } from '../geometry/geometry.js';
import { KEYPERSONS_PREFIX, STUDENTS_LIST } from '../config/identity.js';
import type { Identity } from './hit.js';

/** What one rule sees in one frame. */
export interface RuleView {
  readonly ts: number;
  /** Schedule says the rule is on. Evaluators keep their state either way; only absence depends on it. */
  readonly active: boolean;
  readonly zone: ZoneUpdate | undefined;
  readonly anchor: Anchor;
  readonly crossings: readonly Crossing[];
  /** Every confirmed (or briefly lost) track of the camera, for rules that watch the whole picture. */
  readonly tracks: readonly Track[];
  /** The identity face identification gave a track, if any; it stays the same while the track lives. */
  readonly identityOf: (trackId: number) => Identity | undefined;
}

/** A condition a rule holds to be true right now, for one track ("t<id>") or for the zone as a whole ("zone"). */
export interface Violation {
  readonly track?: Track;
  readonly box?: Box;
  readonly firstSeenAt: number;
  readonly details: Readonly<Record<string, number | string | boolean>>;
}

/**
 * A rule's condition. Level conditions (in the zone, long enough) stay true while they hold: one hit, then a
 * clear when they end. Momentary ones (a crossing, the n-th entry) are true in one frame only and are never cleared.
 */
export interface Evaluator {
  readonly momentary: boolean;
  evaluate(view: RuleView): Map<string, Violation>;
}

const seconds = (ms: number): number => Math.round(ms / 100) / 10;
const key = (track: Track): string => `t${track.id}`;

function level(select: (p: Presence, view: RuleView) => Record<string, number | string | boolean> | undefined): Evaluator {
  return {
    momentary: false,
    evaluate(view) {
      const out = new Map<string, Violation>();
      for (const p of view.zone?.inside.values() ?? []) {
        const details = select(p, view);
        if (details !== undefined) out.set(key(p.track), { track: p.track, firstSeenAt: p.enteredAt, details });
      }
      return out;
    },
  };
}

/** Per-track state that disappears with the track. */
class PerTrack<T> {
  readonly #states = new Map<number, T>();

  get(id: number, create: () => T): T {
    let state = this.#states.get(id);
    if (state === undefined) {
      state = create();
      this.#states.set(id, state);
    }
    return state;
  }

  keepOnly(ids: Iterable<number>): void {
    const keep = new Set(ids);
    for (const id of this.#states.keys()) if (!keep.has(id)) this.#states.delete(id);
  }
}

function returns(rule: Extract<RuleConfig, { type: 'return' }>): Evaluator {
  const entries = new Map<number, number[]>();
  return {
    momentary: true,
    evaluate(view) {
      const out = new Map<string, Violation>();
      // Entries of tracks long gone or long ago can no longer add up to a hit.
      for (const [id, times] of entries) if (view.ts - (times.at(-1) ?? 0) > rule.windowSeconds * 1000) entries.delete(id);
      for (const p of view.zone?.entered ?? []) {
        const times = (entries.get(p.track.id) ?? []).filter((t) => view.ts - t <= rule.windowSeconds * 1000);
        times.push(p.enteredAt);
        if (times.length >= rule.entries) {
          out.set(key(p.track), { track: p.track, firstSeenAt: times[0] ?? p.enteredAt, details: { entries: times.length } });
          entries.delete(p.track.id);
        } else {
          entries.set(p.track.id, times);
        }
      }
      return out;
    },
  };
}

function stationary(rule: Extract<RuleConfig, { type: 'parking' | 'vendor' }>): Evaluator {
  const states = new PerTrack<{ at: Point; since: number }>();
  const inner = level((p, view) => {
    if (!rule.labels.includes(p.track.label)) return undefined;
    const at = anchorOf(p.track.box, view.anchor);
    const state = states.get(p.track.id, () => ({ at, since: view.ts }));
    if (distance(state.at, at) > rule.tolerance * (p.track.box.y2 - p.track.box.y1)) {
      state.at = at;
      state.since = view.ts;
    }
    const still = view.ts - state.since;
    return still >= rule.seconds * 1000 ? { stationarySeconds: seconds(still) } : undefined;
  });
  return {
    momentary: false,
    evaluate(view) {
      const out = inner.evaluate(view);
      states.keepOnly(view.zone?.inside.keys() ?? []);
      return out;
    },
  };
}

function object(rule: Extract<RuleConfig, { type: 'object' }>): Evaluator {
  const frames = new PerTrack<{ count: number }>();
  const inner = level((p) => {
    if (!rule.labels.includes(p.track.label)) return undefined;
    const state = frames.get(p.track.id, () => ({ count: 0 }));
    if (p.track.matched && p.track.score >= rule.minScore) state.count += 1;
    return state.count >= rule.minFrames ? { frames: state.count } : undefined;
  });
  return {
    momentary: false,
    evaluate(view) {
      const out = inner.evaluate(view);
      frames.keepOnly(view.zone?.inside.keys() ?? []);
      return out;
    },
  };
}

/** Size of the largest group of points that are chained within `radius` of one another. */
function largestCluster(points: readonly Point[], radius: number): number[] {
  const parent = points.map((_, i) => i);
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r] ?? r;
    return r;
  };
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const a = points[i];
      const b = points[j];
      if (a !== undefined && b !== undefined && distance(a, b) <= radius) parent[find(i)] = find(j);
    }
  }
  const groups = new Map<number, number[]>();
  points.forEach((_, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), i]);
  });
  return [...groups.values()].reduce<number[]>((best, g) => (g.length > best.length ? g : best), []);
}

/** Detections flicker: a crowd that loses one member for a few frames has not dispersed. */
const CROWD_GRACE_MS = 1000;

function crowd(rule: Extract<RuleConfig, { type: 'crowd' }>): Evaluator {
  let since: number | undefined;
  let lastMet = 0;
  let decided = false;
  return {
    momentary: false,
    evaluate(view) {
      const present = [...(view.zone?.inside.values() ?? [])];
      const members =
        rule.radius === undefined
          ? present
          : largestCluster(
              present.map((p) => anchorOf(p.track.box, view.anchor)),
              rule.radius,
            ).flatMap((i) => present[i] ?? []);
      const met = members.length >= rule.minPeople;
      if (met) {
        since ??= view.ts;
        lastMet = view.ts;
      } else if (since !== undefined && view.ts - lastMet > CROWD_GRACE_MS) {
        since = undefined;
        decided = false;
      }
      if (since === undefined || view.ts - since < rule.seconds * 1000 || (!met && !decided)) return new Map();
      decided = true;
      const box = unionBox(members.map((p) => p.track.box));
      return new Map([['zone', { firstSeenAt: since, ...(box === undefined ? {} : { box }), details: { people: members.length, seconds: seconds(view.ts - since) } }]]);
    },
  };
}

function absence(rule: Extract<RuleConfig, { type: 'absence' }>): Evaluator {
  let emptySince: number | undefined;
  return {
    momentary: false,
    evaluate(view) {
      if (!view.active || (view.zone?.inside.size ?? 0) > 0) {
        emptySince = undefined;
        return new Map();
      }
      emptySince ??= view.ts;
      const empty = view.ts - emptySince;
      return empty >= rule.seconds * 1000 ? new Map([['zone', { firstSeenAt: emptySince, details: { emptySeconds: seconds(empty) } }]]) : new Map();
    },
  };
}

function lineCross(rule: Extract<RuleConfig, { type: 'line-cross' }>): Evaluator {
  return {
    momentary: true,
    evaluate(view) {
      const out = new Map<string, Violation>();
      for (const c of view.crossings) {
        if (rule.direction !== 'both' && c.direction !== rule.direction) continue;
        out.set(key(c.track), { track: c.track, firstSeenAt: c.track.firstSeenAt, details: { direction: c.direction } });
      }
      return out;
    },
  };
}

/**
 * A person identified as one of the rule's gallery lists, in the zone (or anywhere without one): once per track and
 * person (a track handed over to another person and identified again reports the new person). Keyed by person, so
 * the cooldown also holds when one person's track breaks up into several (occlusion at a door).
 */
function identified(rule: Extract<RuleConfig, { type: 'watchlist' | 'minor-venue' }>): Evaluator {
  const accepts = (list: string): boolean => {
    if (rule.type === 'minor-venue') return list === STUDENTS_LIST;
    return list.startsWith(KEYPERSONS_PREFIX) && (rule.categories === 'all' || rule.categories.includes(list.slice(KEYPERSONS_PREFIX.length)));
  };
  /** Track id -> the person it was reported as. */
  const reported = new Map<number, string>();
  return {
    momentary: true,
    evaluate(view) {
      const out = new Map<string, Violation>();
      const present = rule.zone === undefined ? view.tracks.map((track) => ({ track, since: track.firstSeenAt })) : [...(view.zone?.inside.values() ?? [])].map((p) => ({ track: p.track, since: p.enteredAt }));
      for (const { track, since } of present) {
        const identity = view.identityOf(track.id);
        if (identity === undefined || reported.get(track.id) === identity.personId || !accepts(identity.list)) continue;
        reported.set(track.id, identity.personId);
        out.set(`p${identity.personId}`, { track, firstSeenAt: since, details: {} });
      }
      const alive = new Set(view.tracks.map((track) => track.id));
      for (const id of reported.keys()) if (!alive.has(id)) reported.delete(id);
      return out;
    },
  };
}

/** The evaluator of a hit-making rule (count rules make records, see count.ts). */
export function evaluatorFor(rule: Exclude<RuleConfig, { type: 'count' }>): Evaluator {
  switch (rule.type) {
    case 'intrusion':
      return level(() => ({}));
    case 'dwell':
      return level((p, view) => (view.ts - p.enteredAt >= rule.seconds * 1000 ? { dwellSeconds: seconds(view.ts - p.enteredAt) } : undefined));
    case 'return':
      return returns(rule);
    case 'line-cross':
      return lineCross(rule);
    case 'crowd':
      return crowd(rule);
    case 'object':
      return object(rule);
    case 'parking':
    case 'vendor':
      return stationary(rule);
    case 'absence':
      return absence(rule);
    case 'watchlist':
    case 'minor-venue':
      return identified(rule);
  }
}
