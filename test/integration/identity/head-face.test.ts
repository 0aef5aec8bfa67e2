import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { visionSchema } from '../../../edge/config/vision.js';
import { readPicture } from '../../../edge/identity/face-photo.js';
import { PROBE_QUALITY } from '../../../edge/identity/face-quality.js';
import { cropHead, headFace, type FaceView } from '../../../edge/identity/head-face.js';
import type { RgbImage } from '../../../edge/ingest/frame.js';
import { rootLogger } from '../../../edge/log.js';
import type { Box } from '../../../edge/geometry/geometry.js';
import { MODEL_ROLES } from '../../../edge/vision/manifest.js';
import { VisionRuntime } from '../../../edge/vision/runtime.js';
import { GROUP_PHOTOS, groupPhotoPath, type GroupFaceLabel } from '../../helpers/face-set.js';
import { everyone, PortraitGallery, portraitFaces } from '../../helpers/portrait-gallery.js';

/** The written-down faces whose point (near the nose) lies in the upper half of a person box: whose box it is. */
function labelsOnPerson(labels: readonly GroupFaceLabel[], box: Box): GroupFaceLabel[] {
  const top = box.y1 + 0.5 * (box.y2 - box.y1);
  return labels.filter((label) => label.x >= box.x1 && label.x <= box.x2 && label.y >= box.y1 && label.y <= top);
}

describe('the face of a person box, found in its head region (real detector boxes on the group photos)', () => {
  let vision: VisionRuntime;
  let gallery: PortraitGallery;
  const models = (): Parameters<typeof headFace>[0] => {
    const { faceDetector, faceEmbedder } = vision;
    assert.ok(faceDetector && faceEmbedder);
    return { detector: faceDetector, embedder: faceEmbedder };
  };
  const people = async (file: string): Promise<{ image: RgbImage; boxes: Box[] }> => {
    const image = await readPicture(groupPhotoPath(file));
    assert.ok(vision.detector);
    const boxes = (await vision.detector.detect(image)).filter((d) => d.label === 'person').map((d) => d.box);
    return { image, boxes };
  };

  before(async () => {
    rootLogger.level = 'warn';
    // The person boxes the written-down faces were checked against come from the square 416x416 input. At the fitted
    // 416x320 input the detector adds a sixth box on bbt4.jpg spanning raj and amy (docs/perception.md); this test
    // is about finding the face in a given box, so it keeps the boxes it was written for.
    vision = new VisionRuntime({ config: visionSchema.parse({ detector: { input: 'square' } }), roles: MODEL_ROLES });
    await vision.start();
    gallery = new PortraitGallery(await portraitFaces(models()), everyone());
  });

  after(async () => {
    await vision.stop();
  });

  for (const file of ['bbt3.jpg', 'bbt4.jpg']) {
    it(`${file}: each person's view is that person's face, nearest to their own portraits`, async () => {
      const labels = GROUP_PHOTOS.find((photo) => photo.file === file)?.faces ?? [];
      const { image, boxes } = await people(file);
      assert.equal(boxes.length, 5, 'the detector finds five people');
      let views = 0;
      for (const box of boxes) {
        const crop = cropHead(image, box);
        assert.ok(crop);
        const result = await headFace(models(), crop, 0, 'test');
        const own = labelsOnPerson(labels, box);
        assert.equal(own.length, 1, `${file}: one written-down face on the box ${JSON.stringify(box)}`);
        assert.ok(typeof result !== 'string', `${file}: the face of ${own[0]?.person ?? ''}: ${result as string}`);
        const view: FaceView = result;
        assert.ok(view.quality.sizePx >= PROBE_QUALITY.minSizePx && view.quality.sizePx <= 120, String(view.quality.sizePx));
        assert.equal(gallery.match(view.embedding)?.personId, own[0]?.person);
        views += 1;
      }
      assert.equal(views, 5);
    });
  }

  it("bbt4: raj's widened head region also holds amy's face, which is off his box and does not count", async () => {
    const { image, boxes } = await people('bbt4.jpg');
    const raj = boxes.find((box) => box.x1 > 140 && box.x1 < 170 && box.y1 < 10);
    assert.ok(raj, JSON.stringify(boxes));
    const crop = cropHead(image, raj);
    assert.ok(crop);
    assert.ok(crop.region.x1 <= 123 && crop.region.y2 >= 86, "amy's face point (123, 86) is inside the crop");
    const view = await headFace(models(), crop, 0, 'test');
    assert.equal(typeof view === 'string' ? view : gallery.match(view.embedding)?.personId, 'raj');
  });

  it('bbt2: two faces centred on one box (leonard and the diner behind him) are ambiguous: no view', async () => {
    const { image, boxes } = await people('bbt2.jpg');
    const labels = GROUP_PHOTOS.find((photo) => photo.file === 'bbt2.jpg')?.faces ?? [];
    const both = boxes.filter((box) => labelsOnPerson(labels, box).length === 2);
    assert.equal(both.length, 1, JSON.stringify(boxes));
    const [box] = both;
    assert.ok(box);
    const crop = cropHead(image, box);
    assert.ok(crop);
    assert.equal(await headFace(models(), crop, 0, 'test'), 'several-faces');
  });
});
