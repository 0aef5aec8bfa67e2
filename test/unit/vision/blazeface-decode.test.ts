import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBlazeFace } from '../../../edge/vision/blazeface-decode.js';
import type { OutputTensor } from '../../../edge/vision/model-session.js';

describe('BlazeFace decoding', () => {
  it('adds offsets to the anchor centre of the right cell and anchor', () => {
    const regs512 = new Float32Array(512 * 16);
    const logits512 = new Float32Array(512).fill(-10);
    // Anchor 2 * (row 3 * 16 + col 5) + 1 -> centre ((5 + 0.5) * 16, (3 + 0.5) * 16) = (88, 56).
    const anchor = 2 * (3 * 16 + 5) + 1;
    logits512[anchor] = 2;
    regs512.set([4, -2, 40, 50, -10, -5, 10, -5, 0, 5, 0, 15, -20, 0, 20, 0], anchor * 16);
    const outputs = new Map<string, OutputTensor>([
      ['output0', { data: new Float32Array(384 * 16), dims: [1, 384, 16] }],
      ['output1', { data: logits512, dims: [1, 512, 1] }],
      ['output2', { data: new Float32Array(384).fill(-10), dims: [1, 384, 1] }],
      ['output3', { data: regs512, dims: [1, 512, 16] }],
    ]);
    const faces = decodeBlazeFace(outputs, 256, 0.5);
    assert.equal(faces.length, 1);
    const [face] = faces;
    assert.ok(face);
    assert.ok(Math.abs(face.score - 1 / (1 + Math.exp(-2))) < 1e-9);
    assert.deepEqual(face.box, { x1: 72, y1: 29, x2: 112, y2: 79 });
    assert.deepEqual(face.landmarks[0], { x: 78, y: 51 });
    assert.deepEqual(face.landmarks[3], { x: 88, y: 71 });
  });
});
