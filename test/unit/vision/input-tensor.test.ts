import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inputSize, neutralFill, toInputTensor, type ModelInput } from '../../../edge/vision/input-tensor.js';

const nanodet: ModelInput = { name: 'input', shape: [1, 3, 2, 1], layout: 'NCHW', channels: 'BGR', mean: [103.53, 116.28, 123.675], std: [57.375, 57.12, 58.395] };
const blaze: ModelInput = { name: 'input', shape: [1, 2, 1, 3], layout: 'NHWC', channels: 'RGB', mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] };

describe('input tensor', () => {
  it('reads width and height from shape and layout', () => {
    assert.deepEqual(inputSize(nanodet), { width: 1, height: 2 });
    assert.deepEqual(inputSize({ ...blaze, shape: [1, 256, 128, 3] }), { width: 128, height: 256 });
  });

  it('reorders channels to BGR planes and normalizes with mean and std', () => {
    const pixels = Uint8Array.from([10, 20, 30, 200, 150, 100]); // two RGB pixels
    const tensor = toInputTensor(pixels, nanodet);
    const expected = [(30 - 103.53) / 57.375, (100 - 103.53) / 57.375, (20 - 116.28) / 57.12, (150 - 116.28) / 57.12, (10 - 123.675) / 58.395, (200 - 123.675) / 58.395];
    tensor.forEach((value, i) => {
      assert.ok(Math.abs(value - (expected[i] ?? NaN)) < 1e-6, `index ${i}: ${value} vs ${expected[i]}`);
    });
  });

  it('keeps interleaved RGB for NHWC and maps 0..255 to -1..1', () => {
    const tensor = toInputTensor(Uint8Array.from([0, 255, 127.5, 255, 0, 0]), blaze);
    assert.deepEqual(Array.from(tensor, (v) => Math.round(v * 100) / 100), [-1, 1, -0, 1, -1, -1]);
  });

  it('pads with the colour that normalizes to zero', () => {
    assert.deepEqual(neutralFill(nanodet), [124, 116, 104]);
    assert.deepEqual(neutralFill(blaze), [128, 128, 128]);
    assert.throws(() => toInputTensor(new Uint8Array(5), nanodet), /expected 6 bytes/);
  });

  it('places a smaller picture in the input and pads around it with the neutral colour, in both layouts', () => {
    const planar: ModelInput = { ...nanodet, shape: [1, 3, 3, 2] };
    const pixel = [10, 20, 30];
    // One pixel at column 1, row 1 of a 2 x 3 input.
    const tensor = toInputTensor(Uint8Array.from(pixel), planar, { width: 1, height: 1, left: 1, top: 1 });
    // Model channel c is B, G, R: the pixel's value and the neutral fill's (124, 116, 104 in RGB order) of that colour.
    const bgr = [[30, 104], [20, 116], [10, 124]] as const;
    bgr.forEach(([value, fill], c) => {
      const mean = planar.mean[c] ?? 0;
      const std = planar.std[c] ?? 1;
      tensor.subarray(c * 6, c * 6 + 6).forEach((got, i) => {
        const want = ((i === 3 ? value : fill) - mean) / std;
        assert.ok(Math.abs(got - want) < 1e-6, `channel ${c}, index ${i}: ${got} vs ${want}`);
      });
    });
    const interleaved: ModelInput = { ...blaze, shape: [1, 2, 2, 3] };
    const packed = toInputTensor(Uint8Array.from([255, 0, 255, 0, 255, 0]), interleaved, { width: 2, height: 1, left: 0, top: 1 });
    assert.deepEqual(Array.from(packed, (v) => Math.round(v * 100) / 100), [0, 0, 0, 0, 0, 0, 1, -1, 1, -1, 1, -1].map((v, i) => (i < 6 ? Math.round(((128 - 127.5) / 127.5) * 100) / 100 : v)));
    assert.throws(() => toInputTensor(Uint8Array.from(pixel), planar, { width: 1, height: 1, left: 2, top: 0 }), /does not fit the 2x3 input/);
  });
});
