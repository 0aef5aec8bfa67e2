import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ruleSchema, type RuleConfig } from '../../../edge/config/rules.js';
import { zoneSchema } from '../../../edge/config/zones.js';
import type { RuleEvent } from '../../../edge/rules/hit.js';
import { RuleEngine } from '../../../edge/rules/engine.js';
import type { Track } from '../../../edge/track/tracker.js';

const zone = zoneSchema.parse({ id: 'lawn', polygon: [[100, 100], [300, 100], [300, 300], [100, 300]] });
const camera = { id: 'cam1', detect: { width: 768, height: 576 }, zones: [zone], lines: [] };
const picture = { width: 2, height: 2, data: Buffer.alloc(12) };

function person(id: number, inside: boolean): Track {
  const x = inside ? 200 : 50;
  return { id, label: 'person', classId: 0, score: 0.9, box: { x1: x - 20, y1: 100, x2: x + 20, y2: 200 }, state: 'confirmed', firstSeenAt: 0, lastSeenAt: 0, hits: 5, matched: true, stationary: false };
}

const rules = (...input: unknown[]): RuleConfig[] => input.map((rule) => ruleSchema.parse(rule));

/**
 * Runs frames at 10 fps through an engine built from `first`; at frame `swapAt` a new engine is built from `second`
 * with the running one as `previous` (what a config reload does). Events are written as `hit <rule> @<ts> from <ts>`
 * and `clear <rule> @<ts>`.
 */
function run(first: RuleConfig[], second: RuleConfig[] | undefined, swapAt: number, frames: number, inside: (i: number) => boolean): string[] {
  let engine = new RuleEngine({ camera, rules: first, timezone: 'UTC' });
  const events: RuleEvent[] = [];
  for (let i = 0; i < frames; i++) {
    if (i === swapAt && second !== undefined) engine = new RuleEngine({ camera, rules: second, timezone: 'UTC', previous: engine });
    events.push(...engine.update([person(1, inside(i))], { ts: i * 100, seq: i, snapshot: () => picture }).events);
  }
  return events.map((e) => (e.kind === 'hit' ? `hit ${e.rule} @${String(e.decidedAt)} from ${String(e.firstSeenAt)}` : `clear ${e.rule} @${String(e.at)}`));
}

const base = { camera: 'cam1', zone: 'lawn' };
const dwell = { id: 'stay', type: 'dwell', ...base, seconds: 3 };
const intrusion = { id: 'enter', type: 'intrusion', ...base };

describe('rule engine replaced by a config reload', () => {
  it('keeps the dwell timer of an unchanged rule and dates a new rule from when the object entered', () => {
    const fromFrame5 = (i: number): boolean => i >= 5;
    const unchanged = run(rules(dwell), undefined, 0, 60, fromFrame5);
    assert.deepEqual(unchanged, ['hit stay @3500 from 500']);
    // A fresh engine at frame 20 would date the stay from 2 s and hit at 5 s.
    const reloaded = run(rules(dwell), rules(dwell, { ...intrusion, cooldownSeconds: 0 }), 20, 60, fromFrame5);
    assert.deepEqual(reloaded, ['hit enter @2000 from 500', 'hit stay @3500 from 500']);
  });

  it('clears the open conditions of a rule the reload removed, once', () => {
    const events = run(rules(intrusion, dwell), rules(dwell), 20, 30, (i) => i >= 5 && i < 25);
    assert.deepEqual(events, ['hit enter @700 from 500', 'clear enter @2000']);
  });

  it('keeps the open condition of a changed rule: no second alert while the object stays, a clear when it leaves', () => {
    const events = run(rules(intrusion), rules({ ...intrusion, severity: 'critical' }), 20, 40, (i) => i >= 5 && i < 30);
    assert.deepEqual(events, ['hit enter @700 from 500', 'clear enter @3200']);
  });

  it('applies a changed cooldown to the hits the old rule already made', () => {
    // In at 0.5 s, out at 2 s, in again at 3 s: within a 60 s or 30 s cooldown, not within a 0 s one.
    const inside = (i: number): boolean => (i >= 5 && i < 20) || i >= 30;
    const long = { ...intrusion, cooldownSeconds: 60 };
    assert.deepEqual(run(rules(long), undefined, 0, 50, inside), ['hit enter @700 from 500', 'clear enter @2200']);
    assert.deepEqual(run(rules(long), rules({ ...long, cooldownSeconds: 0 }), 25, 50, inside), ['hit enter @700 from 500', 'clear enter @2200', 'hit enter @3200 from 3000']);
    assert.deepEqual(run(rules(long), rules({ ...long, cooldownSeconds: 30 }), 25, 50, inside), ['hit enter @700 from 500', 'clear enter @2200'], 'the first hit still counts against the new cooldown');
  });
});
