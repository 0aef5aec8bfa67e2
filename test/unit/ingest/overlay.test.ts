import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RgbImage } from '../../../edge/ingest/frame.js';
import { drawOverlay } from '../../../edge/ingest/overlay.js';
import { vtestFrames } from '../../helpers/frames.js';
import { meanAbsDiff, region } from '../../helpers/pictures.js';

describe('drawing an overlay on a picture', () => {
  it('returns RGB24 of the same size: the drawing where it was drawn, the picture untouched elsewhere', async () => {
    const [frame] = (await vtestFrames([300])) as [RgbImage];
    const { width, height } = frame;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}"><rect x="100" y="50" width="40" height="30" fill="#00ff00"/></svg>`;
    const drawn = await drawOverlay(frame, svg);
    assert.deepEqual([drawn.width, drawn.height, drawn.data.length], [width, height, width * height * 3]);
    const outside = (x: number, y: number): boolean => x < 100 || x >= 140 || y < 50 || y >= 80;
    assert.equal(meanAbsDiff(drawn, frame, outside), 0, 'the picture is left exactly as it was around the drawing');
    const green = region(drawn, { left: 100, top: 50, width: 40, height: 30 });
    assert.deepEqual([...new Set(green.data.toString('hex').match(/.{6}/g))], ['00ff00']);
  });
});
