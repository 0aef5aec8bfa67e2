import { sameConfig } from '../config/diff.js';
import { IDENTITY_LABEL, usesIdentity, type RuleConfig } from '../config/rules.js';
import type { LineConfig, ZoneConfig } from '../config/zones.js';
import type { RgbImage } from '../ingest/frame.js';
import type { Track } from '../track/tracker.js';
import { LineWatcher, ZoneWatcher, type Crossing, type ZoneUpdate } from './areas.js';
import { MinuteCounter } from './count.js';
import { evaluatorFor, type Evaluator } from './evaluators.js';
import type { CountRecord, Identity, RuleClear, RuleEvent, RuleHit } from './hit.js';
import { ScheduleClock } from './schedule.js';

export interface RuleEngineOptions {
  readonly camera: {
    readonly id: string;
    readonly detect: { readonly width: number; readonly height: number };
    readonly zones: readonly ZoneConfig[];
    readonly lines: readonly LineConfig[];
  };
  /** All rules of the file; the engine keeps the enabled ones of its camera. */
  readonly rules: readonly RuleConfig[];
  /** IANA time zone of the gateway, for schedules. */
  readonly timezone: string;
  /**
   * The engine of the same camera these rules replace (a config reload). Zone and line watchers carry over, so the
   * time an object entered (dwell) is kept; a rule with the same id and area keeps its open conditions and cooldowns,
   * and its evaluator too when its config is unchanged. Open conditions of rules that are gone are cleared on the
   * next update.
   */
  readonly previous?: RuleEngine;
}

export interface RuleFrame {
  readonly ts: number;
  readonly seq: number;
  /** Called at most once per frame, only when a rule hits: an owned copy of the picture for the snapshot. */
  readonly snapshot: () => RgbImage;
  /** The identity of a track as face identification has decided it so far; absent on cameras without identity rules. */
  readonly identityOf?: (trackId: number) => Identity | undefined;
}

export interface RuleUpdate {
  readonly events: RuleEvent[];
  readonly counts: CountRecord[];
  /**
   * Person tracks an identity rule looks at right now (inside its zone, or anywhere for a rule without one): face
   * identification serves them first.
   */
  readonly identify: ReadonlySet<number>;
}

interface HitRule {
  readonly config: Exclude<RuleConfig, { type: 'count' }>;
  readonly area: string;
  readonly evaluator: Evaluator;
  readonly schedule: ScheduleClock;
  readonly open: Set<string>;
  readonly lastHit: Map<string, number>;
  /** The rule's hits carry the track's identity. */
  readonly identity: boolean;
  /** Open conditions whose alert already has the track's identity (in the hit, or by an identified event). */
  readonly named: Set<string>;
}

interface CountRule {
  readonly config: Extract<RuleConfig, { type: 'count' }>;
  readonly counter: MinuteCounter;
  readonly schedule: ScheduleClock;
}

/**
 * Turns the tracks of one camera into rule events, frame by frame. Conditions come from the evaluators; this
 * class owns what is common to every rule: the schedule, one hit per condition, the cooldown, and the clear.
 */
export class RuleEngine {
  readonly #camera: string;
  readonly #size: readonly [number, number];
  readonly #zones = new Map<string, ZoneWatcher>();
  readonly #lines = new Map<string, LineWatcher>();
  readonly #hitRules: HitRule[] = [];
  readonly #countRules: CountRule[] = [];
  /** Open conditions of replaced rules that no longer exist, cleared on the next update. */
  readonly #orphans: { readonly rule: string; readonly key: string }[] = [];

  constructor(options: RuleEngineOptions) {
    const { camera } = options;
    this.#camera = camera.id;
    this.#size = [camera.detect.width, camera.detect.height];
    const rules = options.rules.filter((r) => r.camera === camera.id && r.enabled);
    const previous = options.previous;
    const carry = previous !== undefined && previous.#camera === camera.id && sameConfig(previous.#size, this.#size);
    const before = {
      zones: carry ? previous.#zones : new Map<string, ZoneWatcher>(),
      lines: carry ? previous.#lines : new Map<string, LineWatcher>(),
      hitRules: carry ? previous.#hitRules : [],
      countRules: carry ? previous.#countRules : [],
      orphans: carry ? previous.#orphans : [],
    };
    const useZone = (id: string | undefined) => {
      const zone = camera.zones.find((z) => z.id === id);
      if (zone === undefined || this.#zones.has(zone.id)) return;
      const kept = before.zones.get(zone.id);
      this.#zones.set(zone.id, kept !== undefined && sameConfig(kept.zone, zone) ? kept : new ZoneWatcher(zone, ...this.#size));
    };
    const useLine = (id: string | undefined) => {
      const line = camera.lines.find((l) => l.id === id);
      if (line === undefined || this.#lines.has(line.id)) return;
      const kept = before.lines.get(line.id);
      this.#lines.set(line.id, kept !== undefined && sameConfig(kept.line, line) ? kept : new LineWatcher(line, ...this.#size));
    };
    for (const rule of rules) {
      const schedule = new ScheduleClock(rule.schedule, options.timezone);
      if (rule.type === 'count') {
        useZone(rule.zone);
        useLine(rule.line);
        const area = rule.zone ?? rule.line ?? '';
        const kept = before.countRules.find((r) => r.config.id === rule.id);
        this.#countRules.push(kept !== undefined && sameConfig(kept.config, rule) ? kept : { config: rule, schedule, counter: new MinuteCounter({ rule: rule.id, camera: camera.id, area, kind: rule.zone === undefined ? 'line' : 'zone' }) });
        continue;
      }
      // Identity rules without a zone watch the whole picture; their hits name no zone.
      const area = (rule.type === 'line-cross' ? rule.line : rule.zone) ?? '';
      if (rule.type === 'line-cross') useLine(area);
      else useZone(area);
      const kept = before.hitRules.find((r) => r.config.id === rule.id && r.area === area);
      if (kept !== undefined && sameConfig(kept.config, rule)) this.#hitRules.push(kept);
      else {
        this.#hitRules.push({
          config: rule,
          area,
          evaluator: evaluatorFor(rule),
          schedule,
          open: kept?.open ?? new Set(),
          lastHit: kept?.lastHit ?? new Map<string, number>(),
          identity: usesIdentity(rule),
          named: kept?.named ?? new Set(),
        });
      }
    }
    for (const gone of before.hitRules) {
      if (this.#hitRules.some((r) => r.open === gone.open)) continue;
      for (const key of gone.open) this.#orphans.push({ rule: gone.config.id, key });
    }
    this.#orphans.push(...before.orphans);
  }

  /** Enabled rules of the camera this engine evaluates. */
  get ruleCount(): number {
    return this.#hitRules.length + this.#countRules.length;
  }

  /** Zones and lines this engine watches, in pixels (for drawing and for the motion gate). */
  get zones(): readonly ZoneWatcher[] {
    return [...this.#zones.values()];
  }

  update(tracks: readonly Track[], frame: RuleFrame): RuleUpdate {
    const visible = tracks.filter((t) => t.state !== 'tentative');
    const zoneUpdates = new Map<string, ZoneUpdate>();
    for (const [id, watcher] of this.#zones) zoneUpdates.set(id, watcher.update(visible, frame.ts));
    const crossings = new Map<string, Crossing[]>();
    for (const [id, watcher] of this.#lines) crossings.set(id, watcher.update(visible));

    const events: RuleEvent[] = this.#orphans.splice(0).map(({ rule, key }) => this.#clear(rule, key, frame.ts));
    let picture: RgbImage | undefined;
    const snapshot = () => (picture ??= frame.snapshot());
    for (const rule of this.#hitRules) this.#decide(rule, frame, visible, zoneUpdates.get(rule.area), crossings.get(rule.area) ?? [], snapshot, events);

    const counts: CountRecord[] = [];
    for (const rule of this.#countRules) {
      const area = rule.config.zone ?? rule.config.line ?? '';
      counts.push(...rule.counter.add(frame.ts, rule.schedule.isActive(frame.ts), zoneUpdates.get(area), crossings.get(area) ?? []));
    }
    return { events, counts, identify: this.#identify(visible, zoneUpdates) };
  }

  /** Closes the count minutes in progress; for the end of a replay. */
  flush(): CountRecord[] {
    return this.#countRules.flatMap((rule) => rule.counter.flush());
  }

  #identify(visible: readonly Track[], zones: ReadonlyMap<string, ZoneUpdate>): Set<number> {
    const wanted = new Set<number>();
    for (const rule of this.#hitRules) {
      if (!rule.identity) continue;
      const ids = rule.area === '' ? visible.map((t) => t.id) : (zones.get(rule.area)?.inside.keys() ?? []);
      for (const id of ids) wanted.add(id);
    }
    const people = new Set(visible.filter((t) => t.label === IDENTITY_LABEL).map((t) => t.id));
    return new Set([...wanted].filter((id) => people.has(id)));
  }

  #decide(rule: HitRule, frame: RuleFrame, visible: readonly Track[], zone: ZoneUpdate | undefined, crossings: readonly Crossing[], snapshot: () => RgbImage, events: RuleEvent[]): void {
    const { config } = rule;
    const active = rule.schedule.isActive(frame.ts);
    const anchor = config.type === 'line-cross' ? (this.#lines.get(rule.area)?.line.anchor ?? 'bottom-center') : (this.#zones.get(rule.area)?.zone.anchor ?? 'bottom-center');
    const identityOf = (trackId: number): Identity | undefined => (rule.identity ? frame.identityOf?.(trackId) : undefined);
    const violations = rule.evaluator.evaluate({ ts: frame.ts, active, zone, anchor, crossings, tracks: visible, identityOf });
    for (const key of rule.open) {
      if (active && violations.has(key)) continue;
      rule.open.delete(key);
      rule.named.delete(key);
      events.push(this.#clear(config.id, key, frame.ts));
    }
    if (!active) return;
    const cooldownMs = config.cooldownSeconds * 1000;
    for (const [key, v] of violations) {
      if (rule.open.has(key)) continue;
      const last = rule.lastHit.get(key);
      if (last !== undefined && frame.ts - last < cooldownMs) continue;
      rule.lastHit.set(key, frame.ts);
      if (!rule.evaluator.momentary) rule.open.add(key);
      const box = v.track?.box ?? v.box;
      const identity = v.track === undefined ? undefined : identityOf(v.track.id);
      if (identity !== undefined) rule.named.add(key);
      const hit: RuleHit = {
        kind: 'hit',
        rule: config.id,
        type: config.type,
        severity: config.severity,
        camera: this.#camera,
        zone: rule.area,
        ...(v.track === undefined ? {} : { trackId: v.track.id, label: v.track.label, score: v.track.score }),
        ...(box === undefined ? {} : { box }),
        firstSeenAt: v.firstSeenAt,
        decidedAt: frame.ts,
        frameSeq: frame.seq,
        frame: snapshot(),
        details: v.details,
        ...(identity === undefined ? {} : { identity }),
      };
      events.push(hit);
    }
    if (rule.identity) this.#announce(rule, frame.ts, identityOf, events);
    // Cooldowns that ran out carry no information; dropping them bounds memory on a busy camera.
    if (rule.lastHit.size > 256) for (const [key, at] of rule.lastHit) if (frame.ts - at >= cooldownMs) rule.lastHit.delete(key);
  }

  /** The end of an open condition: key "zone" for the zone as a whole, "t<id>" for one track. */
  #clear(rule: string, key: string, at: number): RuleClear {
    const trackId = key === 'zone' ? undefined : Number(key.slice(1));
    return { kind: 'clear', rule, camera: this.#camera, ...(trackId === undefined ? {} : { trackId }), at };
  }

  /** An open hit whose track was identified after the hit: its alert learns who it is. */
  #announce(rule: HitRule, ts: number, identityOf: (trackId: number) => Identity | undefined, events: RuleEvent[]): void {
    for (const key of rule.open) {
      if (rule.named.has(key) || !key.startsWith('t')) continue;
      const trackId = Number(key.slice(1));
      const identity = identityOf(trackId);
      if (identity === undefined) continue;
      rule.named.add(key);
      events.push({ kind: 'identified', rule: rule.config.id, camera: this.#camera, trackId, identity, at: ts });
    }
  }
}
