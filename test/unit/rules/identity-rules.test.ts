import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ruleSchema, type RuleConfig } from '../../../edge/config/rules.js';
import { zoneSchema } from '../../../edge/config/zones.js';
import { RuleEngine } from '../../../edge/rules/engine.js';
import type { Identity, RuleEvent, RuleHit } from '../../../edge/rules/hit.js';
import type { Track } from '../../../edge/track/tracker.js';

const zone = zoneSchema.parse({ id: 'water', polygon: [[100, 100], [300, 100], [300, 300], [100, 300]] });
const camera = { id: 'pond', detect: { width: 768, height: 576 }, zones: [zone], lines: [] };
const picture = { width: 2, height: 2, data: Buffer.alloc(12) };

function person(id: number, x: number, extra: Partial<Track> = {}): Track {
  return { id, label: 'person', classId: 0, score: 0.9, box: { x1: x - 20, y1: 100, x2: x + 20, y2: 200 }, state: 'confirmed', firstSeenAt: 0, lastSeenAt: 0, hits: 5, matched: true, stationary: false, ...extra };
}

const student = (personId: string, score = 93.4): Identity => ({ personId, list: 'students', score });
const keyperson = (personId: string, category: string): Identity => ({ personId, list: `keypersons:${category}`, score: 95 });

/**
 * Frames at 10 fps; `at(i)` gives the tracks of frame i and `who(i, track)` what face identification knows of a track
 * by then (the identifier is tested with real faces elsewhere; here it is the rule side of the seam).
 */
function run(rules: unknown[], frames: number, at: (i: number) => Track[], who: (i: number, trackId: number) => Identity | undefined) {
  const engine = new RuleEngine({ camera, rules: rules.map((r): RuleConfig => ruleSchema.parse(r)), timezone: 'UTC' });
  const events: (RuleEvent & { index: number })[] = [];
  const wanted: number[][] = [];
  for (let i = 0; i < frames; i++) {
    const out = engine.update(at(i), { ts: i * 100, seq: i, snapshot: () => picture, identityOf: (trackId) => who(i, trackId) });
    events.push(...out.events.map((e) => ({ ...e, index: i })));
    wanted.push([...out.identify]);
  }
  return { events, wanted, hits: events.filter((e): e is RuleHit & { index: number } => e.kind === 'hit') };
}

describe('rules that use identity', () => {
  it('intrusion with identify: the hit carries the identity known at decision time', () => {
    const { hits } = run([{ id: 'fence', type: 'intrusion', camera: 'pond', zone: 'water', identify: true }], 10, () => [person(1, 200)], () => student('s-042'));
    assert.deepEqual(hits.map((h) => [h.index, h.identity]), [[2, student('s-042')]]);
  });

  it('intrusion with identify: an identity arriving after the hit comes once as an identified event, while the hit is open', () => {
    const inside = (i: number) => i < 30;
    const { events } = run(
      [{ id: 'fence', type: 'intrusion', camera: 'pond', zone: 'water', identify: true }],
      40,
      (i) => [person(1, inside(i) ? 200 : 500)],
      (i) => (i >= 8 ? student('s-042') : undefined),
    );
    assert.deepEqual(
      events.map((e) => [e.kind, e.index, e.kind === 'identified' ? e.identity.personId : e.kind === 'hit' ? (e.identity?.personId ?? null) : null]),
      [
        ['hit', 2, null],
        ['identified', 8, 's-042'],
        ['clear', 32, null],
      ],
    );
  });

  it('a rule without identify never carries an identity, known or not', () => {
    const { events } = run([{ id: 'fence', type: 'intrusion', camera: 'pond', zone: 'water' }, { id: 'stay', type: 'dwell', camera: 'pond', zone: 'water', seconds: 1 }], 20, () => [person(1, 200)], () => student('s-042'));
    assert.equal(events.length, 2);
    assert.ok(events.every((e) => e.kind === 'hit' && e.identity === undefined));
  });

  it('minor-venue: a student fires once per track and person, anywhere without a zone; key persons and unknowns never', () => {
    const who = (i: number, trackId: number): Identity | undefined => {
      if (trackId === 1) return i >= 3 ? student('s-001') : undefined;
      if (trackId === 2) return keyperson('k-007', 'theft');
      // Track 3 is handed over to another student at frame 20 (the identifier re-identified it).
      if (trackId === 3) return i >= 20 ? student('s-003') : student('s-002');
      return undefined;
    };
    const { hits } = run([{ id: 'door', type: 'minor-venue', camera: 'pond' }], 40, () => [person(1, 50), person(2, 400), person(3, 600), person(4, 700)], who);
    assert.deepEqual(
      hits.map((h) => [h.index, h.trackId, h.identity?.personId, h.zone]),
      [
        [0, 3, 's-002', ''],
        [3, 1, 's-001', ''],
        [20, 3, 's-003', ''],
      ],
    );
  });

  it('minor-venue with a zone: only inside it; one person whose track broke up fires once within the cooldown', () => {
    // Track 1 walks in and is lost at frame 15; the same student comes back as track 2 at 20, and as track 3 after the cooldown.
    const at = (i: number): Track[] => (i < 15 ? [person(1, i < 5 ? 500 : 200)] : i < 20 ? [] : i < 40 ? [person(2, 200)] : i >= 60 ? [person(3, 200)] : []);
    const { hits } = run([{ id: 'door', type: 'minor-venue', camera: 'pond', zone: 'water', cooldownSeconds: 3 }], 80, at, () => student('s-001'));
    assert.deepEqual(
      hits.map((h) => [h.index, h.trackId, h.zone]),
      [
        [7, 1, 'water'],
        [62, 3, 'water'],
      ],
    );
  });

  it('watchlist: the configured categories, or all of them', () => {
    const who = (_i: number, trackId: number): Identity | undefined => (trackId === 1 ? keyperson('k-1', 'theft') : trackId === 2 ? keyperson('k-2', 'drugs') : student('s-9'));
    const tracks = () => [person(1, 50), person(2, 400), person(3, 600)];
    const some = run([{ id: 'w', type: 'watchlist', camera: 'pond', categories: ['drugs', 'violence'] }], 5, tracks, who);
    assert.deepEqual(some.hits.map((h) => h.identity?.personId), ['k-2']);
    const all = run([{ id: 'w', type: 'watchlist', camera: 'pond' }], 5, tracks, who);
    assert.deepEqual(all.hits.map((h) => h.identity?.personId), ['k-1', 'k-2']);
  });

  it('tells face identification which person tracks the identity rules look at now', () => {
    const tracks = () => [person(1, 200), person(2, 500), person(3, 200, { label: 'car' })];
    const zoned = run([{ id: 'fence', type: 'intrusion', camera: 'pond', zone: 'water', identify: true }], 4, tracks, () => undefined);
    assert.deepEqual(zoned.wanted, [[], [], [1], [1]], 'after the inertia frames, the person in the zone; not the car');
    const plain = run([{ id: 'fence', type: 'intrusion', camera: 'pond', zone: 'water' }], 4, tracks, () => undefined);
    assert.deepEqual(plain.wanted.at(-1), [], 'no identity rule, no one');
    const anywhere = run([{ id: 'door', type: 'minor-venue', camera: 'pond' }], 1, tracks, () => undefined);
    assert.deepEqual(anywhere.wanted, [[1, 2]]);
  });
});
