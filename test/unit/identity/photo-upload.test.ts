import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base64Length, decodePhotoUpload } from '../../../edge/identity/photo-upload.js';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

describe('decodePhotoUpload', () => {
  it('gives the bytes of a base64 JPEG, or a PNG where PNG is allowed', () => {
    assert.deepEqual(decodePhotoUpload(JPEG.toString('base64'), 'photos[0]', { maxBytes: 100, formats: ['jpeg'] }), JPEG);
    assert.deepEqual(decodePhotoUpload(PNG.toString('base64'), 'the photo', { maxBytes: 100, formats: ['jpeg', 'png'] }), PNG);
  });

  it('names the photo and what is wrong: not base64, too big, not the format', () => {
    const limits = { maxBytes: 1_048_576, formats: ['jpeg'] } as const;
    assert.throws(() => decodePhotoUpload('data:image/jpeg;base64,/9j/', 'photos[0]', limits), { code: 'PHOTO_UPLOAD', message: /^photos\[0\]: not base64/ });
    assert.throws(() => decodePhotoUpload('', 'photos[0]', limits), { code: 'PHOTO_UPLOAD', message: /^photos\[0\]: not base64/ });
    const big = Buffer.concat([JPEG, Buffer.alloc(1_572_864)]);
    assert.throws(() => decodePhotoUpload(big.toString('base64'), 'photos[1]', limits), { code: 'PHOTO_UPLOAD', message: 'photos[1]: 1.5 MiB, more than the 1 MiB a photo may have; downscale it (the face needs 80 px)' });
    assert.throws(() => decodePhotoUpload(PNG.toString('base64'), 'photos[2]', limits), { code: 'PHOTO_UPLOAD', message: 'photos[2]: not a JPEG file' });
    assert.throws(() => decodePhotoUpload(Buffer.from('GIF89a').toString('base64'), 'the photo', { maxBytes: 100, formats: ['jpeg', 'png'] }), { message: 'the photo: not a JPEG or PNG file' });
  });

  it('bounds the base64 length of a size', () => {
    assert.equal(base64Length(1_048_576), 1_398_104);
    assert.equal(Buffer.alloc(1_048_576).toString('base64').length, base64Length(1_048_576));
  });
});
