import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { visionSchema } from '../../../edge/config/vision.js';
import type { RgbImage } from '../../../edge/ingest/frame.js';
import type { AlignmentLandmarks } from '../../../edge/vision/face-align.js';
import { alignmentLandmarks, FaceDetector, type Face } from '../../../edge/vision/face-detector.js';
import { cosine, FaceEmbedder } from '../../../edge/vision/face-embedder.js';
import type { ModelSession } from '../../../edge/vision/model-session.js';
import { DEFAULT_MODELS_DIR, readManifest, selectModel } from '../../../edge/vision/manifest.js';
import { committedSession } from './models.js';

/** Faces counted by eye in test/fixtures/faces/groupN.jpg (see its README): every visible face, frontal or turned. */
const FACES_BY_EYE = [3, 3, 3, 4, 5, 4];

async function photo(n: number): Promise<RgbImage> {
  const { data, info } = await sharp(new URL(`../../../../test/fixtures/faces/group${n}.jpg`, import.meta.url).pathname)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

/** The same picture mirrored, with the landmarks mirrored and the eyes swapped to stay picture-left / picture-right. */
function mirrored(image: RgbImage, landmarks: AlignmentLandmarks): { image: RgbImage; landmarks: AlignmentLandmarks } {
  const { width, height } = image;
  const data = Buffer.alloc(image.data.length);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) image.data.copy(data, (y * width + x) * 3, (y * width + width - 1 - x) * 3, (y * width + width - x) * 3);
  }
  const flip = (p: { x: number; y: number }): { x: number; y: number } => ({ x: width - 1 - p.x, y: p.y });
  return {
    image: { width, height, data },
    landmarks: { leftEye: flip(landmarks.rightEye), rightEye: flip(landmarks.leftEye), nose: flip(landmarks.nose), mouth: flip(landmarks.mouth) },
  };
}

describe('face models on the fixture photos', () => {
  const sessions: ModelSession[] = [];
  const photos: RgbImage[] = [];
  const faces: { image: RgbImage; face: Face }[] = [];
  let detector: FaceDetector;

  before(async () => {
    const manifest = await readManifest(`${DEFAULT_MODELS_DIR}manifest.json`);
    const detectorSession = await committedSession('face-detector', selectModel(manifest, 'face-detector', undefined).precision);
    sessions.push(detectorSession);
    detector = new FaceDetector({ session: detectorSession, config: visionSchema.parse({}).faceDetector });
    for (let n = 1; n <= FACES_BY_EYE.length; n += 1) photos.push(await photo(n));
  });

  after(async () => {
    await Promise.all(sessions.map((session) => session.stop()));
  });

  it('the default face detector finds every face counted by eye, with the eyes in picture order', async () => {
    const counts: number[] = [];
    for (const image of photos) {
      const found = await detector.detect(image, { camera: 'test' });
      counts.push(found.length);
      for (const face of found) {
        faces.push({ image, face });
        const { leftEye, rightEye, nose, mouth } = alignmentLandmarks(face);
        assert.ok(leftEye.x < rightEye.x, 'the first landmark is the eye on the picture\'s left');
        assert.ok(nose.y > Math.min(leftEye.y, rightEye.y) && mouth.y > nose.y, 'nose below the eyes, mouth below the nose');
        assert.ok(face.box.x1 <= nose.x && nose.x <= face.box.x2 && face.box.y1 <= nose.y && nose.y <= face.box.y2, 'nose inside the box');
      }
    }
    assert.deepEqual(counts, FACES_BY_EYE);
  });

  /** Per face: FP32 and INT8 embeddings of the face, and the default build's embeddings of it and of its mirrored view. */
  let embedded: { fp32: Float32Array; int8: Float32Array; shipped: Float32Array; mirrored: Float32Array }[] = [];

  it('INT8 face embeddings agree with FP32: cosine >= 0.98 on every face', async () => {
    assert.ok(faces.length > 0, 'depends on the detection test above');
    const fp32Session = await committedSession('face-embedder', 'fp32');
    const int8Session = await committedSession('face-embedder', 'int8');
    sessions.push(fp32Session, int8Session);
    const fp32 = new FaceEmbedder({ session: fp32Session });
    const int8 = new FaceEmbedder({ session: int8Session });
    const manifest = await readManifest(`${DEFAULT_MODELS_DIR}manifest.json`);
    const shipped = selectModel(manifest, 'face-embedder', undefined).precision === 'int8' ? int8 : fp32;
    embedded = [];
    for (const { image, face } of faces) {
      const landmarks = alignmentLandmarks(face);
      const mirror = mirrored(image, landmarks);
      const both = { fp32: await fp32.embed(image, landmarks), int8: await int8.embed(image, landmarks) };
      embedded.push({ ...both, shipped: shipped === int8 ? both.int8 : both.fp32, mirrored: await shipped.embed(mirror.image, mirror.landmarks) });
    }
    const agreement = embedded.map((e) => cosine(e.fp32, e.int8));
    const worst = Math.min(...agreement);
    process.stderr.write(`face embeddings INT8 vs FP32 on ${faces.length} faces: cosine min ${worst.toFixed(4)}, mean ${(agreement.reduce((a, b) => a + b, 0) / agreement.length).toFixed(4)}\n`);
    assert.ok(worst >= 0.98, `INT8 vs FP32 cosine down to ${worst}`);
  });

  it('the default embedder tells people apart: each face is closer to its mirrored view than any two different people', () => {
    assert.ok(embedded.length > 0, 'depends on the embedding test above');
    const sameFace = embedded.map((e) => cosine(e.shipped, e.mirrored));
    const different: number[] = [];
    embedded.forEach((a, i) => {
      embedded.slice(i + 1).forEach((b) => different.push(cosine(a.shipped, b.shipped)));
    });
    const closestStrangers = Math.max(...different);
    process.stderr.write(`same face mirrored: min ${Math.min(...sameFace).toFixed(3)}; different people: mean ${(different.reduce((a, b) => a + b, 0) / different.length).toFixed(3)}, max ${closestStrangers.toFixed(3)}\n`);
    assert.ok(Math.min(...sameFace) > closestStrangers, `a mirrored face scored ${Math.min(...sameFace)}, two different people up to ${closestStrangers}`);
  });
});
