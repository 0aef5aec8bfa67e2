import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelEntry } from '../../../edge/vision/manifest.js';
import { modelEntry } from '../../helpers/model-entry.js';
import { fittingInput } from '../../../edge/vision/region-inference.js';

function build(name: string, height: number): ModelEntry {
  return modelEntry(name, { input: { ...modelEntry(name).input, shape: [1, 3, height, 416] } });
}

const square = build('nanodet-int8', 416);
const builds = [square, build('nanodet-416x256-int8', 256), build('nanodet-416x320-int8', 320)];

describe('fittingInput', () => {
  it('takes the lowest input that holds the picture at the square input\'s scale', () => {
    assert.equal(fittingInput(builds, 1280, 720).name, 'nanodet-416x256-int8', '16:9 -> 416x234 fits 416x256');
    assert.equal(fittingInput(builds, 1920, 1080).name, 'nanodet-416x256-int8');
    assert.equal(fittingInput(builds, 768, 576).name, 'nanodet-416x320-int8', '4:3 -> 416x312 fits 416x320, not 416x256');
    assert.equal(fittingInput(builds, 640, 400).name, 'nanodet-416x320-int8', '16:10 -> 416x260 does not fit 416x256');
  });

  it('rounds the scaled height to whole pixels before comparing', () => {
    assert.equal(fittingInput(builds, 1280, 788).name, 'nanodet-416x256-int8', '788 x 0.325 = 256.1 -> 256');
    assert.equal(fittingInput(builds, 1280, 790).name, 'nanodet-416x320-int8', '790 x 0.325 = 256.75 -> 257');
  });

  it('keeps the square input for square, portrait and narrow regions, and when there is nothing else', () => {
    assert.equal(fittingInput(builds, 500, 500).name, 'nanodet-int8');
    assert.equal(fittingInput(builds, 720, 1280).name, 'nanodet-int8');
    assert.equal(fittingInput(builds, 100, 90).name, 'nanodet-int8', 'a motion region scaled up to the square fills its height');
    assert.equal(fittingInput([square], 1280, 720).name, 'nanodet-int8');
  });

  it('uses a wide motion region\'s own aspect, not the frame\'s', () => {
    assert.equal(fittingInput(builds, 600, 200).name, 'nanodet-416x256-int8');
  });
});
