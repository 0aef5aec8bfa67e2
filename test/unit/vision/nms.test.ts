import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { iou } from '../../../edge/geometry/geometry.js';
import { nms, nmsPerClass } from '../../../edge/vision/nms.js';

const box = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 });

describe('NMS', () => {
  it('computes IoU', () => {
    assert.equal(iou(box(0, 0, 10, 10), box(0, 0, 10, 10)), 1);
    assert.equal(iou(box(0, 0, 10, 10), box(5, 0, 15, 10)), 50 / 150);
    assert.equal(iou(box(0, 0, 10, 10), box(10, 0, 20, 10)), 0);
  });

  it('keeps the best of overlapping boxes and separate ones', () => {
    const kept = nms(
      [
        { score: 0.5, box: box(1, 1, 11, 11) },
        { score: 0.9, box: box(0, 0, 10, 10) },
        { score: 0.7, box: box(50, 50, 60, 60) },
      ],
      0.5,
    );
    assert.deepEqual(kept.map((k) => k.score), [0.9, 0.7]);
  });

  it('never suppresses across classes and honours the limit', () => {
    const candidates = [
      { classId: 0, score: 0.9, box: box(0, 0, 10, 10) },
      { classId: 2, score: 0.8, box: box(0, 0, 10, 10) },
      { classId: 0, score: 0.6, box: box(0, 0, 10, 10) },
      { classId: 0, score: 0.4, box: box(30, 30, 40, 40) },
    ];
    assert.deepEqual(nmsPerClass(candidates, 0.5).map((c) => [c.classId, c.score]), [[0, 0.9], [2, 0.8], [0, 0.4]]);
    assert.equal(nmsPerClass(candidates, 0.5, 2).length, 2);
  });
});
