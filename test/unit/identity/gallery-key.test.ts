import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HuxiaoError } from '../../../edge/errors.js';
import { createGalleryKey, readGalleryKey } from '../../../edge/identity/gallery-key.js';
import { tempDir } from '../../helpers/tmp.js';

function keyError(run: () => unknown, message: RegExp): void {
  assert.throws(run, (error: unknown) => error instanceof HuxiaoError && error.code === 'GALLERY_KEY' && message.test(error.message));
}

describe('gallery key file', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir('gallery-key');
  });
  after(() => dir.remove());

  it('is undefined when the file does not exist', () => {
    assert.equal(readGalleryKey(join(dir.path, 'none.key')), undefined);
  });

  it('creates 32 random bytes, mode 0600, and reads them back', () => {
    const path = join(dir.path, 'new.key');
    const key = createGalleryKey(path);
    assert.equal(key.length, 32);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readGalleryKey(path), key);
    assert.notDeepEqual(createGalleryKey(join(dir.path, 'other.key')), key);
  });

  it('never overwrites an existing key', () => {
    const path = join(dir.path, 'kept.key');
    const key = createGalleryKey(path);
    keyError(() => createGalleryKey(path), /cannot create the gallery key file \(EEXIST\)/);
    assert.deepEqual(readFileSync(path), key);
  });

  it('refuses a key file open to other users', () => {
    const path = join(dir.path, 'open.key');
    createGalleryKey(path);
    chmodSync(path, 0o640);
    keyError(() => readGalleryKey(path), /open to other users \(mode 640\); chmod 600/);
  });

  it('refuses a key of the wrong size', () => {
    const path = join(dir.path, 'short.key');
    writeFileSync(path, Buffer.alloc(16), { mode: 0o600 });
    keyError(() => readGalleryKey(path), /holds 16 bytes, expected 32/);
  });

  it('refuses a directory in place of the file', () => {
    keyError(() => readGalleryKey(dir.path), /not a regular file/);
  });
});
