import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { motionSchema } from '../../../edge/config/perception.js';
import type { RgbImage } from '../../../edge/ingest/frame.js';
import type { Track } from '../../../edge/track/tracker.js';
import { MotionGate } from '../../../edge/vision/motion-gate.js';

const W = 320;
const H = 240;

/** A textured grey picture with an optional bright square at (x, y); `light` scales the left `lit` share of it. */
function picture(square?: { x: number; y: number }, light = 1, lit = 1): RgbImage {
  const data = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const inSquare = square !== undefined && x >= square.x && x < square.x + 30 && y >= square.y && y < square.y + 60;
      const v = Math.min(255, Math.round((inSquare ? 230 : 60 + ((x * 7 + y * 13) % 40)) * (x < lit * W ? light : 1)));
      data.fill(v, (y * W + x) * 3, (y * W + x) * 3 + 3);
    }
  }
  return { width: W, height: H, data };
}

const standing: Track = { id: 4, label: 'person', classId: 0, score: 0.9, box: { x1: 20, y1: 20, x2: 50, y2: 80 }, state: 'confirmed', firstSeenAt: 0, lastSeenAt: 0, hits: 9, matched: true, stationary: false };

describe('motion gate', () => {
  it('skips a still picture after the first frame and runs, cropped, where something moves', () => {
    const gate = new MotionGate(motionSchema.parse({ width: 160 }));
    assert.equal(gate.plan(picture(), [], 0).reason, 'first');
    assert.deepEqual(gate.plan(picture(), [], 100), { run: false, reason: 'still', changed: 0 });
    const moving = gate.plan(picture({ x: 200, y: 100 }), [], 200);
    assert.equal(moving.reason, 'motion');
    assert.ok(moving.roi, 'a crop around the moving square');
    assert.ok(moving.roi.x1 <= 200 && moving.roi.x2 >= 230 && moving.roi.y1 <= 100 && moving.roi.y2 >= 160, JSON.stringify(moving.roi));
    assert.ok(moving.roi.x1 > 100, 'the crop leaves the still left part out');
  });

  it('samples a frame of another size with offsets of its own, even when the small picture keeps its size', () => {
    const gate = new MotionGate(motionSchema.parse({ width: 160 }));
    gate.plan(picture(), [], 0);
    // Twice the size, still: the small picture is 160 x 120 again; offsets kept from the 320 x 240 frame would read
    // only its top-left quarter (and miss the square below).
    const big = (square?: { x: number; y: number }): RgbImage => {
      const small = picture(square);
      const data = Buffer.alloc(W * 2 * H * 2 * 3);
      for (let y = 0; y < H * 2; y++) for (let x = 0; x < W * 2; x++) small.data.copy(data, (y * W * 2 + x) * 3, ((y >> 1) * W + (x >> 1)) * 3, ((y >> 1) * W + (x >> 1)) * 3 + 3);
      return { width: W * 2, height: H * 2, data };
    };
    gate.plan(big(), [], 100);
    gate.plan(big(), [], 200);
    const moving = gate.plan(big({ x: 250, y: 150 }), [], 300);
    assert.equal(moving.reason, 'motion');
    assert.ok(moving.roi && moving.roi.x1 <= 500 && moving.roi.x2 >= 560 && moving.roi.y1 <= 300 && moving.roi.y2 >= 420, JSON.stringify(moving.roi));
  });

  it('compensates a uniform brightness change and relearns after a sudden partial one', () => {
    const gate = new MotionGate(motionSchema.parse({}));
    gate.plan(picture(), [], 0);
    assert.equal(gate.plan(picture(undefined, 1.3), [], 100).run, false, 'a uniform shift is compensated');
    assert.equal(gate.plan(picture({ x: 10, y: 10 }, 0.3), [], 150).reason, 'motion', 'dimmed uniformly, only the square moved');
    const dark = gate.plan(picture({ x: 10, y: 10 }, 3, 0.7), [], 200);
    assert.equal(dark.reason, 'lighting');
    assert.equal(dark.roi, undefined, 'the whole frame is searched after a lighting change');
    assert.equal(gate.plan(picture({ x: 10, y: 10 }, 3, 0.7), [], 300).run, false, 'the new light is the background now');
  });

  it('re-detects a standing track at the configured minimum rate', () => {
    const gate = new MotionGate(motionSchema.parse({ redetectSeconds: 1 }));
    gate.ran(gate.plan(picture(), [standing], 0), [standing], 0);
    const runs: string[] = [];
    for (let ts = 200; ts <= 2000; ts += 200) {
      const plan = gate.plan(picture(), [standing], ts);
      if (plan.run) {
        gate.ran(plan, [standing], ts);
        runs.push(`${ts}:${plan.reason}`);
      }
    }
    assert.deepEqual(runs, ['1000:redetect', '2000:redetect']);
  });

  it('runs on every frame when disabled', () => {
    const gate = new MotionGate(motionSchema.parse({ enabled: false }));
    assert.equal(gate.plan(picture(), [], 0).run, true);
    assert.equal(gate.plan(picture(), [], 100).run, true);
  });
});
