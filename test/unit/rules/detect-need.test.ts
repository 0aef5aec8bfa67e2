import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineSchema, zoneSchema } from '../../../edge/config/zones.js';
import { ruleSchema } from '../../../edge/config/rules.js';
import type { Box } from '../../../edge/geometry/geometry.js';
import { DetectNeeds } from '../../../edge/rules/detect-need.js';
import type { Track } from '../../../edge/track/tracker.js';
import type { GatePlan } from '../../../edge/vision/motion-gate.js';

/** A 1000x500 picture: the fence zone in the right quarter, the gate line down the middle, the guard post top-left. */
const camera = {
  detect: { width: 1000, height: 500 },
  zones: [
    zoneSchema.parse({ id: 'fence', polygon: [[750, 0], [1000, 0], [1000, 500], [750, 500]] }),
    zoneSchema.parse({ id: 'post', polygon: [[0, 0], [100, 0], [100, 100], [0, 100]] }),
  ],
  lines: [lineSchema.parse({ id: 'gate', a: [500, 200], b: [500, 500] })],
};
const rule = (text: object) => ruleSchema.parse({ camera: 'cam', ...text });
const needs = (...rules: object[]) => new DetectNeeds({ camera, rules: rules.map(rule) });

const motionAt = (x: number, y: number): GatePlan => {
  const motion: Box = { x1: x, y1: y, x2: x + 40, y2: y + 100 };
  return { run: true, reason: 'motion', changed: 0.01, roi: motion, motion };
};
const still: GatePlan = { run: false, reason: 'still', changed: 0 };
const track = (box: Box, stationary: boolean): Track => ({
  id: 1, label: 'person', classId: 0, score: 0.9, box, state: 'confirmed', firstSeenAt: 0, lastSeenAt: 0, hits: 9, matched: false, stationary,
});

describe('what the rules need of the detector', () => {
  it('an intrusion zone wants every frame while something moves near it, almost nothing for motion far away', () => {
    const fence = needs({ id: 'in', type: 'intrusion', zone: 'fence' });
    assert.deepEqual(fence.need(motionAt(800, 100), []), { intervalMs: 0, urgency: 'urgent', reason: 'zone-activity' });
    // 90 px left of the zone: within the 0.2 x 500 = 100 px the walker covers in about a second.
    assert.deepEqual(fence.need(motionAt(620, 100), []), { intervalMs: 0, urgency: 'urgent', reason: 'zone-activity' });
    assert.deepEqual(fence.need(motionAt(100, 300), []), { intervalMs: 5000, urgency: 'low', reason: 'idle' });
  });

  it('a moving track near the fence makes it urgent even when the motion is elsewhere', () => {
    const fence = needs({ id: 'in', type: 'intrusion', zone: 'fence' });
    assert.equal(fence.need(motionAt(100, 300), [track({ x1: 760, y1: 100, x2: 800, y2: 200 }, false)]).reason, 'zone-activity');
    assert.equal(fence.need(motionAt(100, 300), [track({ x1: 760, y1: 100, x2: 800, y2: 200 }, true)]).reason, 'idle', 'a stationary one does not');
  });

  it('keeps a person standing still just outside an intrusion zone or at a line on the every-second look, not the stationary one', () => {
    const fence = needs({ id: 'in', type: 'intrusion', zone: 'fence' }, { id: 'x', type: 'line-cross', line: 'gate' });
    const outside = track({ x1: 700, y1: 100, x2: 740, y2: 200 }, true);
    const inside = track({ x1: 760, y1: 100, x2: 800, y2: 200 }, true);
    const atLine = track({ x1: 460, y1: 250, x2: 490, y2: 350 }, true);
    const farAway = track({ x1: 100, y1: 300, x2: 140, y2: 400 }, true);
    assert.deepEqual(fence.watchful([outside, inside, atLine, farAway]).map((t) => t.stationary), [false, true, false, true]);
    assert.equal(fence.need({ run: true, reason: 'redetect', changed: 0 }, fence.watchful([outside])).reason, 'redetect');
    assert.equal(needs({ id: 'd', type: 'dwell', zone: 'fence', seconds: 12 }).watchful([outside])[0]?.stationary, true, 'a presence rule can wait');
  });

  it('a line crossing wants every frame near its line', () => {
    const gate = needs({ id: 'x', type: 'line-cross', line: 'gate' });
    assert.equal(gate.need(motionAt(470, 250), []).intervalMs, 0);
    assert.equal(gate.need(motionAt(100, 0), []).reason, 'idle');
  });

  it('presence rules (dwell, crowd, absence, counts) want a look a second, or four per rule time when that is shorter', () => {
    assert.deepEqual(needs({ id: 'd', type: 'dwell', zone: 'fence', seconds: 12 }).need(motionAt(800, 100), []), { intervalMs: 1000, urgency: 'normal', reason: 'motion' });
    assert.equal(needs({ id: 'd', type: 'dwell', zone: 'fence', seconds: 2 }).need(motionAt(800, 100), []).intervalMs, 500);
    assert.equal(needs({ id: 'a', type: 'absence', zone: 'post', seconds: 60 }).need(motionAt(50, 20), []).intervalMs, 1000);
    assert.equal(needs({ id: 'c', type: 'count', line: 'gate' }).need(motionAt(470, 250), []).intervalMs, 1000);
    assert.equal(needs({ id: 'g', type: 'crowd', zone: 'fence', seconds: 2 }).need(motionAt(800, 100), []).intervalMs, 500);
  });

  it('identity rules want a look every 400 ms (a face attempt) near their zone, or anywhere in the picture without one', () => {
    assert.deepEqual(needs({ id: 'm', type: 'minor-venue' }).need(motionAt(100, 300), []), { intervalMs: 400, urgency: 'normal', reason: 'motion' });
    assert.equal(needs({ id: 'w', type: 'watchlist', zone: 'fence' }).need(motionAt(800, 100), []).intervalMs, 400);
    assert.equal(needs({ id: 'w', type: 'watchlist', zone: 'fence' }).need(motionAt(100, 300), []).reason, 'idle', 'far from its zone');
    assert.equal(needs({ id: 'f', type: 'intrusion', zone: 'fence', identify: true }).need(motionAt(800, 100), []).urgency, 'urgent', 'a fence stays urgent');
  });

  it('takes the most demanding rule of the areas the activity is near', () => {
    const both = needs({ id: 'd', type: 'dwell', zone: 'fence', seconds: 12 }, { id: 'in', type: 'intrusion', zone: 'fence' }, { id: 'a', type: 'absence', zone: 'post' });
    assert.equal(both.need(motionAt(800, 100), []).intervalMs, 0);
    assert.equal(both.need(motionAt(50, 20), []).intervalMs, 1000);
  });

  it('names the re-check of stationary objects and the idle camera', () => {
    const post = needs({ id: 'a', type: 'absence', zone: 'post' });
    const guard = track({ x1: 20, y1: 0, x2: 60, y2: 90 }, true);
    assert.deepEqual(post.need({ run: true, reason: 'redetect', changed: 0 }, [guard]), { intervalMs: 0, urgency: 'low', reason: 'stationary' });
    assert.deepEqual(post.need(still, [guard]), { intervalMs: Number.POSITIVE_INFINITY, urgency: 'low', reason: 'stationary' });
    assert.equal(post.need(still, []).reason, 'idle');
    assert.equal(post.need({ run: true, reason: 'redetect', changed: 0 }, [track({ x1: 20, y1: 0, x2: 60, y2: 90 }, false)]).reason, 'redetect');
    assert.deepEqual(post.need({ run: true, reason: 'first', changed: 1 }, []), { intervalMs: 0, urgency: 'urgent', reason: 'first' });
  });
});
