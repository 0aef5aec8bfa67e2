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
});
