import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { renderSnapshot } from '../../../edge/alerts/snapshot.js';
import type { RgbImage } from '../../../edge/ingest/frame.js';
import { vtestFrames } from '../../helpers/frames.js';
import { assertFrameWithBox, assertSamePicture, awayFromOutline, decodeJpeg, JPEG_NOISE, meanAbsDiff, region } from '../../helpers/pictures.js';

const OPTIONS = { jpegQuality: 80, cropPadding: 0.25, maxWidth: 1280 };
/** A walker on the footpath of frame 300, and a box with fractional corners as the detector reports them. */
const BOX = { x1: 300, y1: 200, x2: 400, y2: 400 };
const ODD_BOX = { x1: 611.5, y1: 333.3, x2: 700.9, y2: 560.1 };

describe('alert snapshot rendering', () => {
  let frame: RgbImage;
  let other: RgbImage;

  before(async () => {
    [frame, other] = (await vtestFrames([300, 500])) as [RgbImage, RgbImage];
  });

  it('draws the box in red on the deciding frame and leaves every other pixel as it was', async () => {
    for (const box of [BOX, ODD_BOX]) {
      const rendered = await renderSnapshot(frame, box, OPTIONS);
      const picture = await decodeJpeg(rendered.frame.data);
      assert.deepEqual([rendered.frame.width, rendered.frame.height], [picture.width, picture.height], 'the size it claims');
      assert.equal(rendered.frame.sha256, createHash('sha256').update(rendered.frame.data).digest('hex'));
      assertFrameWithBox(picture, frame, box, `frame with box ${JSON.stringify(box)}`);
      assert.ok(meanAbsDiff(picture, other, awayFromOutline(box)) > JPEG_NOISE, 'the bound rejects another frame of the footage');
    }
  });

  it('crops the box with its padding out of the frame, without the outline', async () => {
    const rendered = await renderSnapshot(frame, BOX, OPTIONS);
    assert.ok(rendered.crop);
    const crop = await decodeJpeg(rendered.crop.data);
    // 100 x 200 box, 25 % padding each side: 25 px left and right, 50 px above and below.
    const rect = { left: 275, top: 150, width: 150, height: 300 };
    assert.deepEqual([rendered.crop.width, rendered.crop.height, crop.width, crop.height], [150, 300, 150, 300]);
    assertSamePicture(crop, region(frame, rect), 'crop');
  });

  it('clamps the crop of a box at the picture edge to the picture', async () => {
    const box = { x1: 700, y1: 500, x2: 768, y2: 576 };
    const rendered = await renderSnapshot(frame, box, OPTIONS);
    assert.ok(rendered.crop);
    const crop = await decodeJpeg(rendered.crop.data);
    const rect = { left: 683, top: 481, width: 85, height: 95 };
    assertSamePicture(crop, region(frame, rect), 'crop at the edge');
    assertFrameWithBox(await decodeJpeg(rendered.frame.data), frame, box, 'frame with a box at the edge');
  });

  it('scales a frame wider than snapshot.maxWidth down to it, picture and box alike', async () => {
    // A 1536 px camera picture (the footage doubled), so the outline stays wider than a pixel once halved.
    const raw = (width: number, height: number) => ({ raw: { width, height, channels: 3 as const } });
    const wide = { width: 1536, height: 1152, data: await sharp(frame.data, raw(frame.width, frame.height)).resize({ width: 1536 }).raw().toBuffer() };
    const box = { x1: BOX.x1 * 2, y1: BOX.y1 * 2, x2: BOX.x2 * 2, y2: BOX.y2 * 2 };
    const rendered = await renderSnapshot(wide, box, { ...OPTIONS, maxWidth: 768 });
    const picture = await decodeJpeg(rendered.frame.data);
    assert.deepEqual([rendered.frame.width, rendered.frame.height, picture.width, picture.height], [768, 576, 768, 576]);
    const scaled = { width: 768, height: 576, data: await sharp(wide.data, raw(wide.width, wide.height)).resize({ width: 768 }).raw().toBuffer() };
    assertFrameWithBox(picture, scaled, BOX, 'scaled frame');
  });

  it('encodes the frame as it is when there is no box (the emergency pictures), with no crop', async () => {
    const rendered = await renderSnapshot(frame, null, OPTIONS);
    assert.equal(rendered.crop, null);
    assertSamePicture(await decodeJpeg(rendered.frame.data), frame, 'frame without box');
  });
});
