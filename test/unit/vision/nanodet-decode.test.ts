import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OutputTensor } from '../../../edge/vision/model-session.js';
import { decodeNanoDet } from '../../../edge/vision/nanodet-decode.js';

const CLASSES = 3;
const BINS = 11;

/** Synthetic NanoDet outputs for a 64x64 input (strides 8/16/32 -> 64, 16, 4 cells) in TF.js's interleaved order. */
function outputs(hot: { stride: number; cell: number; classId: number; score: number; sides: [number, number, number, number] }): Map<string, OutputTensor> {
  const map = new Map<string, OutputTensor>();
  for (const stride of [32, 16, 8]) {
    const cells = (64 / stride) ** 2;
    const scores = new Float32Array(cells * CLASSES);
    const distances = new Float32Array(cells * 4 * BINS).fill(-20);
    if (stride === hot.stride) {
      scores[hot.cell * CLASSES + hot.classId] = hot.score;
      // A one-hot distribution: the expectation is exactly the hot bin.
      hot.sides.forEach((bin, side) => {
        distances[hot.cell * 4 * BINS + side * BINS + bin] = 30;
      });
    }
    map.set(`scores${stride}`, { data: scores, dims: [1, cells, CLASSES] });
    map.set(`boxes${stride}`, { data: distances, dims: [1, cells, 4 * BINS] });
  }
  return map;
}

describe('NanoDet decoding', () => {
  it('places the box around the cell centre at expected bin x stride', () => {
    // stride 16, cell 5 = row 1, col 1 -> centre (24, 24)
    const out = outputs({ stride: 16, cell: 5, classId: 2, score: 0.8, sides: [1, 0, 2, 1] });
    const candidates = decodeNanoDet(out, { inputWidth: 64, inputHeight: 64, minScores: Float32Array.from([0.5, 0.5, 0.5]) });
    assert.equal(candidates.length, 1);
    const c = candidates[0];
    assert.ok(c);
    assert.equal(c.classId, 2);
    assert.ok(Math.abs(c.score - 0.8) < 1e-6);
    const b = c.box;
    for (const [got, want] of [[b.x1, 8], [b.y1, 24], [b.x2, 56], [b.y2, 40]] as const) assert.ok(Math.abs(got - want) < 1e-6, `${got} vs ${want}`);
  });

  it('applies per-class thresholds and clips to the input', () => {
    const out = outputs({ stride: 32, cell: 3, classId: 0, score: 0.45, sides: [10, 10, 10, 10] });
    assert.equal(decodeNanoDet(out, { inputWidth: 64, inputHeight: 64, minScores: Float32Array.from([0.5, 0.1, 0.1]) }).length, 0);
    const [c] = decodeNanoDet(out, { inputWidth: 64, inputHeight: 64, minScores: Float32Array.from([0.4, Infinity, Infinity]) });
    assert.deepEqual(c?.box, { x1: 0, y1: 0, x2: 64, y2: 64 });
  });

  it('names the missing heads when the outputs do not fit', () => {
    assert.throws(() => decodeNanoDet(new Map(), { inputWidth: 64, inputHeight: 64, minScores: new Float32Array(3) }), /stride-8 heads/);
  });
});
