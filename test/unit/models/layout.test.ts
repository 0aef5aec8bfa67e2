import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NHWC_TO_NCHW, identityPerm, invertPerm, onnxAxis, permAfterTfTranspose, permuteDims, transposeBetween, transposeData } from '../../../scripts/models/layout.js';

describe('layout bookkeeping', () => {
  it('transposes dense data like numpy', () => {
    // [[1,2,3],[4,5,6]] transposed is [[1,4],[2,5],[3,6]]
    assert.deepEqual([...transposeData(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3], [1, 0])], [1, 4, 2, 5, 3, 6]);
    const nhwc = Float32Array.from({ length: 2 * 2 * 3 }, (_, i) => i);
    const nchw = transposeData(nhwc, [1, 2, 2, 3], NHWC_TO_NCHW);
    // channel 1 of NHWC pixel (h, w) sits at index (h * 2 + w) * 3 + 1
    assert.deepEqual([...nchw.slice(4, 8)], [1, 4, 7, 10]);
  });

  it('a TF Transpose only changes the stored perm, and transposeBetween moves data to the wanted storage', () => {
    // An NHWC tensor stored as NCHW, transposed by TF to NCHW, is stored exactly as TF sees it.
    const stored = permAfterTfTranspose(NHWC_TO_NCHW, [0, 3, 1, 2]);
    assert.deepEqual(stored, identityPerm(4));
    // Composition: moving storage from perm a to perm b then applying permuteDims matches the TF shape permuted by b.
    const tfShape = [1, 5, 7, 3];
    const storedShape = permuteDims(tfShape, NHWC_TO_NCHW);
    assert.deepEqual(permuteDims(storedShape, transposeBetween(NHWC_TO_NCHW, identityPerm(4))), tfShape);
    assert.deepEqual(invertPerm(NHWC_TO_NCHW), [0, 2, 3, 1]);
  });

  it('maps TF axes (also negative ones) to ONNX axes', () => {
    assert.equal(onnxAxis(-1, NHWC_TO_NCHW), 1);
    assert.equal(onnxAxis(1, NHWC_TO_NCHW), 2);
    assert.throws(() => onnxAxis(4, NHWC_TO_NCHW), /out of range/);
  });
});
