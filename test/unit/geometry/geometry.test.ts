import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anchorOf, crossing, iou, pointInPolygon, polygonProblem, segmentsIntersect, toPixels, type Point } from '../../../edge/geometry/geometry.js';

const square: Point[] = [
  [0, 0],
  [10, 0],
  [10, 10],
  [0, 10],
];
const concave: Point[] = [
  [0, 0],
  [10, 0],
  [10, 10],
  [5, 4],
  [0, 10],
];

describe('geometry', () => {
  it('tells points inside a polygon from points outside, edges counting as inside', () => {
    assert.equal(pointInPolygon([5, 5], square), true);
    assert.equal(pointInPolygon([10, 5], square), true);
    assert.equal(pointInPolygon([11, 5], square), false);
    assert.equal(pointInPolygon([5, 8], concave), false, 'the notch of a concave zone is outside');
    assert.equal(pointInPolygon([2, 3], concave), true);
  });

  it('finds crossings of a directed line and their direction', () => {
    const a: Point = [0, 5];
    const b: Point = [10, 5];
    // Standing at a (left) looking at b (right): "left" of the line is up in the picture.
    assert.equal(crossing(a, b, [5, 0], [5, 10]), 'left-to-right');
    assert.equal(crossing(a, b, [5, 10], [5, 0]), 'right-to-left');
    assert.equal(crossing(a, b, [5, 0], [6, 2]), undefined, 'staying on one side');
    assert.equal(crossing(a, b, [12, 0], [12, 10]), undefined, 'passing beyond the end b');
    assert.equal(crossing(a, b, [5, 0], [5, 5]), undefined, 'stopping on the line is not yet a crossing');
  });

  it('intersects segments, touching included', () => {
    assert.equal(segmentsIntersect([0, 0], [10, 10], [0, 10], [10, 0]), true);
    assert.equal(segmentsIntersect([0, 0], [10, 0], [10, 0], [10, 5]), true);
    assert.equal(segmentsIntersect([0, 0], [10, 0], [0, 1], [10, 1]), false);
  });

  it('rejects degenerate polygons and accepts good ones', () => {
    assert.match(polygonProblem([[0, 0], [1, 1]]) ?? '', /at least 3 points, got 2/);
    assert.match(polygonProblem([[0, 0], [5, 5], [10, 10]]) ?? '', /zero area/);
    assert.match(polygonProblem([[0, 0], [10, 10], [10, 0], [0, 10]]) ?? '', /crosses itself \(edge 1 meets edge 3\)/);
    assert.equal(polygonProblem(square), undefined);
    assert.equal(polygonProblem(concave), undefined);
  });

  it('scales normalized drawings to the picture and leaves pixel drawings alone', () => {
    assert.deepEqual(toPixels([[0.5, 1], [0, 0.25]], 768, 576), [[384, 576], [0, 144]]);
    assert.deepEqual(toPixels([[300, 200], [0.5, 1]], 768, 576), [[300, 200], [0.5, 1]]);
  });

  it('computes anchors and IoU', () => {
    const box = { x1: 10, y1: 20, x2: 30, y2: 60 };
    assert.deepEqual(anchorOf(box, 'bottom-center'), [20, 60]);
    assert.deepEqual(anchorOf(box, 'center'), [20, 40]);
    assert.equal(iou(box, box), 1);
    assert.equal(iou(box, { x1: 20, y1: 20, x2: 40, y2: 60 }), 1 / 3);
    assert.equal(iou(box, { x1: 31, y1: 20, x2: 40, y2: 60 }), 0);
  });
});
