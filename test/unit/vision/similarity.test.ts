import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignFace, alignmentTransform, ALIGNED_SIZE } from '../../../edge/vision/face-align.js';
import { applySimilarity, fitSimilarity, invertSimilarity } from '../../../edge/vision/similarity.js';

const close = (a: number, b: number, tolerance = 1e-9): void => {
  assert.ok(Math.abs(a - b) <= tolerance, `${a} vs ${b}`);
};

describe('similarity fit', () => {
  it('recovers an exact rotation, scale and translation', () => {
    const angle = 0.3;
    const scale = 1.7;
    const truth = { a: scale * Math.cos(angle), b: scale * Math.sin(angle), tx: 12, ty: -4 };
    const from = [{ x: 0, y: 0 }, { x: 10, y: 2 }, { x: 3, y: 9 }, { x: -5, y: 4 }];
    const fit = fitSimilarity(from, from.map((p) => applySimilarity(truth, p)));
    close(fit.a, truth.a);
    close(fit.b, truth.b);
    close(fit.tx, truth.tx);
    close(fit.ty, truth.ty);
    const round = applySimilarity(invertSimilarity(fit), applySimilarity(fit, { x: 7, y: -3 }));
    close(round.x, 7);
    close(round.y, -3);
  });

  it('is the least-squares fit when the points are noisy (residual orthogonal to the model)', () => {
    const from = [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 0, y: 10 }];
    const to = [{ x: 1, y: 0 }, { x: 10, y: 1 }, { x: 0, y: 9 }];
    const fit = fitSimilarity(from, to);
    // Nudging any parameter must not lower the squared error.
    const error = (t: typeof fit): number => from.reduce((sum, p, i) => {
      const q = applySimilarity(t, p);
      return sum + (q.x - (to[i]?.x ?? 0)) ** 2 + (q.y - (to[i]?.y ?? 0)) ** 2;
    }, 0);
    const best = error(fit);
    for (const key of ['a', 'b', 'tx', 'ty'] as const) {
      for (const delta of [-1e-3, 1e-3]) assert.ok(error({ ...fit, [key]: fit[key] + delta }) >= best);
    }
    assert.throws(() => fitSimilarity([{ x: 1, y: 1 }, { x: 1, y: 1 }], [{ x: 0, y: 0 }, { x: 1, y: 1 }]), /coincide/);
  });
});

describe('face alignment', () => {
  it('puts the landmarks of a scaled, shifted face on the template', () => {
    // Template points scaled by 2 and shifted by (100, 50): the fit must undo exactly that.
    const landmarks = {
      leftEye: { x: 38.2946 * 2 + 100, y: 51.6963 * 2 + 50 },
      rightEye: { x: 73.5318 * 2 + 100, y: 51.5014 * 2 + 50 },
      nose: { x: 56.0252 * 2 + 100, y: 71.7366 * 2 + 50 },
      mouth: { x: 56.1396 * 2 + 100, y: 92.2848 * 2 + 50 },
    };
    const t = alignmentTransform(landmarks, ALIGNED_SIZE);
    close(t.a, 0.5, 1e-6);
    close(t.b, 0, 1e-6);
    close(t.tx, -50, 1e-4);
    close(t.ty, -25, 1e-4);
  });

  it('samples the source: a white square around the left eye lands on the template eye', () => {
    const width = 400;
    const height = 300;
    const data = Buffer.alloc(width * height * 3);
    const landmarks = { leftEye: { x: 150, y: 120 }, rightEye: { x: 220, y: 120 }, nose: { x: 185, y: 160 }, mouth: { x: 185, y: 200 } };
    for (let y = 110; y <= 130; y += 1) for (let x = 140; x <= 160; x += 1) data.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
    const aligned = alignFace({ width, height, data }, landmarks);
    assert.equal(aligned.width, 112);
    const at = (x: number, y: number): number => aligned.data[(y * 112 + x) * 3] ?? -1;
    assert.equal(at(38, 52), 255);
    assert.equal(at(74, 52), 0);
    assert.equal(at(56, 100), 0);
  });
});
