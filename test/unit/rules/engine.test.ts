import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ruleSchema, type RuleConfig } from '../../../edge/config/rules.js';
import { lineSchema, zoneSchema } from '../../../edge/config/zones.js';
import type { CountRecord, RuleEvent, RuleHit } from '../../../edge/rules/hit.js';
import { RuleEngine } from '../../../edge/rules/engine.js';
import type { Track } from '../../../edge/track/tracker.js';

const zone = zoneSchema.parse({ id: 'lawn', polygon: [[100, 100], [300, 100], [300, 300], [100, 300]] });
const line = lineSchema.parse({ id: 'path', a: [400, 0], b: [400, 400] });
const camera = { id: 'cam1', detect: { width: 768, height: 576 }, zones: [zone], lines: [line] };
const picture = { width: 2, height: 2, data: Buffer.alloc(12) };

/** A confirmed person track whose feet stand at (x, y). */
function person(id: number, x: number, y: number, extra: Partial<Track> = {}): Track {
  return { id, label: 'person', classId: 0, score: 0.9, box: { x1: x - 20, y1: y - 100, x2: x + 20, y2: y }, state: 'confirmed', firstSeenAt: 0, lastSeenAt: 0, hits: 5, matched: true, stationary: false, ...extra };
}

/** Runs frames at 10 fps; `at(i)` gives the tracks of frame i. */
function run(rules: unknown[], frames: number, at: (i: number) => Track[], timezone = 'UTC', start = 0) {
  const engine = new RuleEngine({ camera, rules: rules.map((r): RuleConfig => ruleSchema.parse(r)), timezone });
  const events: RuleEvent[] = [];
  const counts: CountRecord[] = [];
  for (let i = 0; i < frames; i++) {
    const out = engine.update(at(i), { ts: start + i * 100, seq: i, snapshot: () => picture });
    events.push(...out.events);
    counts.push(...out.counts);
  }
  counts.push(...engine.flush());
  return { events, counts, hits: events.filter((e): e is RuleHit => e.kind === 'hit') };
}

const base = { camera: 'cam1', zone: 'lawn' };

describe('rule engine', () => {
  it('intrusion: one hit per entry after the inertia frames, a clear on leaving, cooldown against re-entry', () => {
    // Frames 0-9 outside, 10-29 inside, 30-39 outside, 40-99 inside again.
    const inside = (i: number) => (i >= 10 && i < 30) || i >= 40;
    const { events } = run([{ id: 'r', type: 'intrusion', ...base, cooldownSeconds: 5 }], 100, (i) => [person(1, inside(i) ? 200 : 50, 200)]);
    assert.deepEqual(
      events.map((e) => (e.kind === 'hit' ? `hit@${e.decidedAt} from ${e.firstSeenAt}` : `clear@${e.at}`)),
      // The re-entry at 4.2 s falls in the 5 s cooldown; the track is still inside when it runs out at 6.2 s.
      ['hit@1200 from 1000', 'clear@3200', 'hit@6200 from 4000'],
    );
  });

  it('does not flicker when a box jitters on the edge', () => {
    const { hits } = run([{ id: 'r', type: 'intrusion', ...base, cooldownSeconds: 0 }], 40, (i) => [person(1, i % 2 === 0 ? 99 : 101, 200)]);
    assert.equal(hits.length, 0);
  });

  it('ignores tentative tracks and labels the zone does not watch', () => {
    const { hits } = run([{ id: 'r', type: 'intrusion', ...base }], 20, () => [person(1, 200, 200, { state: 'tentative' }), person(2, 200, 200, { label: 'dog' })]);
    assert.equal(hits.length, 0);
  });

  it('dwell: hits once the stay reaches the threshold', () => {
    const { hits } = run([{ id: 'd', type: 'dwell', ...base, seconds: 3 }], 60, (i) => (i >= 5 ? [person(1, 200, 200)] : []));
    assert.equal(hits.length, 1);
    assert.equal(hits[0]?.firstSeenAt, 500);
    assert.equal(hits[0].decidedAt, 3500);
    assert.deepEqual(hits[0].details, { dwellSeconds: 3 });
  });

  it('return: the third entry within the window hits', () => {
    // In for 10 frames, out for 10, three times.
    const { hits } = run([{ id: 'ret', type: 'return', ...base, entries: 3, windowSeconds: 60 }], 60, (i) => [person(1, Math.floor(i / 10) % 2 === 0 ? 200 : 50, 200)]);
    assert.equal(hits.length, 1);
    assert.equal(hits[0]?.decidedAt, 4200);
    assert.deepEqual(hits[0].details, { entries: 3 });
  });

  it('line-cross: counts the configured direction only, once per crossing', () => {
    const rule = { id: 'x', type: 'line-cross', camera: 'cam1', line: 'path', direction: 'left-to-right', cooldownSeconds: 0 };
    // Line from (400,0) down to (400,400): standing at a looking down, left is +x. Track 1 goes right to left, track 2 left to right.
    const { hits, events } = run([rule], 30, (i) => [person(1, 500 - i * 10, 200), person(2, 300 + i * 10, 250)]);
    assert.deepEqual(
      hits.map((h) => [h.trackId, h.decidedAt, h.details.direction]),
      [[1, 1100, 'left-to-right']],
    );
    assert.equal(events.length, 1, 'no clear for a momentary rule');
  });

  it('crowd: needs minPeople for the whole duration, then clears', () => {
    // Person 3 drops out for frames 30-33 (a flicker shorter than the 1 s grace); the group splits up at frame 50.
    const group = (i: number) =>
      i < 50 ? [person(1, 150, 150), person(2, 160, 160), ...(i >= 30 && i < 34 ? [] : [person(3, 170, 170)]), person(4, 280, 280)] : [person(1, 150, 150)];
    const { events } = run([{ id: 'c', type: 'crowd', ...base, minPeople: 3, radius: 40, seconds: 2 }], 70, group);
    assert.deepEqual(
      events.map((e) => (e.kind === 'hit' ? `hit@${e.decidedAt} people=${String(e.details.people)}` : `clear@${e.at}`)),
      ['hit@2200 people=3', 'clear@6000'],
    );
  });

  it('vendor: a person standing still hits, a person walking about does not', () => {
    const walker = (i: number) => person(2, 120 + ((i * 7) % 170), 200);
    const { hits } = run([{ id: 'v', type: 'vendor', ...base, seconds: 4, tolerance: 0.3 }], 80, (i) => [person(1, 200 + (i % 3), 250), walker(i)]);
    assert.deepEqual(
      hits.map((h) => [h.trackId, h.decidedAt]),
      [[1, 4200]],
    );
  });

  it('object: a knife seen for minFrames frames with enough score', () => {
    const knifeZone = zoneSchema.parse({ ...zone, labels: ['person', 'knife'] });
    const engine = new RuleEngine({ camera: { ...camera, zones: [knifeZone] }, rules: [ruleSchema.parse({ id: 'o', type: 'object', ...base, minFrames: 3, minScore: 0.6 })], timezone: 'UTC' });
    const knife = (id: number, score: number): Track => ({ ...person(id, 200, 200, { label: 'knife', classId: 43 }), score });
    const decided: number[] = [];
    [0.9, 0.5, 0.9, 0.9, 0.9].forEach((score, i) => {
      for (const e of engine.update([knife(7, score)], { ts: i * 100, seq: i, snapshot: () => picture }).events) if (e.kind === 'hit') decided.push(e.decidedAt);
    });
    assert.deepEqual(decided, [400], 'the 0.5 frame does not count; the third good frame decides');
  });

  it('absence: hits only inside the schedule, after the zone has been empty long enough', () => {
    // 2026-11-23 is a Monday. Schedule 08:00-08:01 Asia/Shanghai = 00:00-00:01 UTC.
    const start = Date.UTC(2026, 10, 23, 23, 59, 50) - 24 * 3600_000;
    const rule = { id: 'a', type: 'absence', ...base, seconds: 5, schedule: { windows: [{ days: ['mon'], from: '08:00', to: '08:01' }] } };
    const { events } = run([rule], 900, () => [], 'Asia/Shanghai', start);
    assert.deepEqual(
      events.map((e) => (e.kind === 'hit' ? `hit+${(e.decidedAt - start) / 1000}s` : `clear+${(e.at - start) / 1000}s`)),
      ['hit+15s', 'clear+70s'],
    );
  });

  it('count: entries and exits per minute as records', () => {
    const rule = { id: 'n', type: 'count', camera: 'cam1', zone: 'lawn' };
    // Walks in at ~1 s, out at ~4 s, in again at 65 s.
    const at = (i: number) => [person(1, (i >= 10 && i < 40) || i >= 650 ? 200 : 50, 200)];
    const { counts } = run([rule], 700, at);
    assert.deepEqual(
      counts.map((c) => [c.from, c.to, c.counts]),
      [
        [0, 60_000, { entered: 1, left: 1 }],
        [60_000, 120_000, { entered: 1, left: 0 }],
      ],
    );
  });

  it('hits carry the deciding frame and the track', () => {
    const { hits } = run([{ id: 'r', type: 'intrusion', ...base, severity: 'critical' }], 5, () => [person(3, 200, 200)]);
    const hit = hits[0];
    assert.ok(hit);
    assert.equal(hit.frame, picture);
    assert.deepEqual([hit.rule, hit.type, hit.severity, hit.camera, hit.zone, hit.trackId, hit.label, hit.frameSeq], ['r', 'intrusion', 'critical', 'cam1', 'lawn', 3, 'person', 2]);
  });
});
