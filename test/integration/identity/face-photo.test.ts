import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp, { type Sharp } from 'sharp';
import { visionSchema } from '../../../edge/config/vision.js';
import { rootLogger } from '../../../edge/log.js';
import { facePhoto, FacePhotoError, type FacePhotoReason } from '../../../edge/identity/face-photo.js';
import { openFaceModels, type FaceModels } from '../../../edge/identity/face-models.js';
import { ENROLLMENT_QUALITY, PROBE_QUALITY } from '../../../edge/identity/face-quality.js';
import { cosine } from '../../../edge/vision/face-embedder.js';
import { groupPhotoPath, portraitPath } from '../../helpers/face-set.js';
import { tempDir } from '../../helpers/tmp.js';

async function rejection(promise: Promise<unknown>): Promise<FacePhotoError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof FacePhotoError, String(error));
    assert.equal(error.code, 'FACE_PHOTO');
    return error;
  }
  assert.fail('expected a FacePhotoError');
}

describe('face photo checks on the shared face set', () => {
  let models: FaceModels;
  let dir: { path: string; remove(): Promise<void> };
  const made = async (name: string, pipeline: Sharp): Promise<string> => {
    const path = join(dir.path, name);
    await pipeline.toFile(path);
    return path;
  };
  const expectReason = async (path: string, reason: FacePhotoReason): Promise<string> => {
    const error = await rejection(facePhoto(models, path));
    assert.equal(error.reason, reason, error.message);
    assert.equal(error.photo, path);
    assert.ok(error.message.startsWith(`${path}: `), error.message);
    return error.message;
  };

  before(async () => {
    // The suite stays quiet: model sessions log "model loaded" at info.
    rootLogger.level = 'warn';
    models = await openFaceModels(visionSchema.parse({}));
    dir = await tempDir('face-photo');
  });
  after(async () => {
    await models.stop();
    await dir.remove();
  });

  it('a portrait gives one face, its quality within the enrollment thresholds, and an L2-normalized embedding', async () => {
    const photo = await facePhoto(models, portraitPath('amy', 1));
    assert.equal(photo.photo, portraitPath('amy', 1));
    assert.ok(photo.quality.sizePx >= ENROLLMENT_QUALITY.minSizePx && photo.quality.sizePx <= 150, String(photo.quality.sizePx));
    assert.ok(photo.quality.sharpness >= ENROLLMENT_QUALITY.minSharpness, String(photo.quality.sharpness));
    assert.equal(photo.embedding.length, 1024);
    assert.ok(Math.abs(cosine(photo.embedding, photo.embedding) - 1) < 1e-5);
    const again = await facePhoto(models, portraitPath('amy', 2));
    const stranger = await facePhoto(models, portraitPath('raj', 1));
    assert.ok(cosine(photo.embedding, again.embedding) > cosine(photo.embedding, stranger.embedding) + 0.1, 'the same person is nearer than a stranger');
  });

  it('finds the face of leonard5, which the detector misses without the grey border', async () => {
    const plain = await models.detector.detect(await readRgb(portraitPath('leonard', 5)));
    assert.equal(plain.length, 0, 'the plain detector finds no face in leonard5 (else this test shows nothing)');
    const photo = await facePhoto(models, portraitPath('leonard', 5));
    assert.ok(photo.quality.sizePx >= 120, String(photo.quality.sizePx));
  });

  it('a group photo: several faces, how many and the width of each', async () => {
    const message = await expectReason(groupPhotoPath('bbt4.jpg'), 'several-faces');
    const match = /: 6 faces found, (\d+), (\d+), (\d+), (\d+), (\d+) and (\d+) px wide; the photo must show one person$/.exec(message);
    assert.ok(match !== null, message);
    const widths = match.slice(1).map(Number);
    assert.ok(widths.every((width) => width >= 80 && width <= 120), message);
  });

  it('a group photo of small faces: too small, naming the count and the largest', async () => {
    const message = await expectReason(groupPhotoPath('bbt3.jpg'), 'too-small');
    assert.match(message, /: 5 faces found, the largest 6\d px wide; the face is too small: 6\d px wide, at least 80 px needed$/);
  });

  it('a person seen from behind: no face', async () => {
    const back = await made('back-of-head.png', sharp(groupPhotoPath('bbt2.jpg')).extract({ left: 190, top: 54, width: 134, height: 243 }));
    assert.equal(await expectReason(back, 'no-face'), `${back}: no face found`);
  });

  it('a portrait downscaled so the face is ~40 px: too small for enrollment, enough for a camera probe', async () => {
    const small = await made('small.png', sharp(portraitPath('sheldon', 1)).resize(40));
    assert.match(await expectReason(small, 'too-small'), /the face is too small: (3\d|4\d) px wide, at least 80 px needed$/);
    const probe = await facePhoto(models, small, { thresholds: PROBE_QUALITY });
    assert.ok(probe.quality.sizePx >= PROBE_QUALITY.minSizePx && probe.quality.sizePx < 50, String(probe.quality.sizePx));
  });

  it('a blurred portrait: too blurred, with its sharpness and the minimum', async () => {
    const blurred = await made('blurred.png', sharp(portraitPath('penny', 1)).blur(3));
    const message = await expectReason(blurred, 'too-blurred');
    const sharpness = Number(/sharpness (\d\.\d+), at least 0\.06 needed$/.exec(message)?.[1]);
    assert.ok(sharpness < ENROLLMENT_QUALITY.minSharpness, message);
    const original = (await facePhoto(models, portraitPath('penny', 1))).quality.sharpness;
    assert.ok(original > 5 * sharpness, `the original measures ${original}, the blurred copy ${sharpness}`);
  });

  it('a face turned sideways: not frontal enough', async () => {
    // Leonard looking at Sheldon in bbt2, cut out alone and enlarged past the minimum size.
    const turned = await made('turned.png', sharp(groupPhotoPath('bbt2.jpg')).extract({ left: 60, top: 80, width: 200, height: 240 }).resize(300));
    assert.match(await expectReason(turned, 'not-frontal'), /nose 0\.[3-9]\d eye distances off centre \(at most 0\.3\)$/);
  });

  it('a file that is not an image: unreadable, naming the file', async () => {
    const text = join(dir.path, 'notes.jpg');
    await writeFile(text, 'not a picture\n');
    assert.match(await expectReason(text, 'unreadable'), /notes\.jpg: not an image or unreadable \(.*unsupported image format.*\)$/);
    const missing = join(dir.path, 'missing.png');
    assert.match(await expectReason(missing, 'unreadable'), /missing\.png: not an image or unreadable \(.*missing.*\)$/);
  });
});

async function readRgb(path: string): Promise<{ width: number; height: number; data: Buffer }> {
  const { data, info } = await sharp(path).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}
