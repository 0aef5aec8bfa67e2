import assert from 'node:assert/strict';
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { identitySchema } from '../../../edge/config/identity.js';
import { visionSchema } from '../../../edge/config/vision.js';
import { GalleryService } from '../../../edge/gallery/gallery-service.js';
import { rootLogger } from '../../../edge/log.js';
import { Store } from '../../../edge/store/store.js';
import { captureLogs } from '../../helpers/logs.js';
import { openGallery, student, syntheticFaces } from '../../helpers/gallery.js';
import { tempDir } from '../../helpers/tmp.js';

rootLogger.level = 'error';

describe('the gateway gallery phase (GalleryService)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let store: Store;
  let keyFile: string;
  const service = (): GalleryService => new GalleryService({ store, identity: identitySchema.parse({ keyFile }), vision: visionSchema.parse({}) });

  before(async () => {
    dir = await tempDir('gallery-service');
    keyFile = join(dir.path, 'gallery.key');
    store = new Store({ path: join(dir.path, 'huxiao.db') });
    store.start();
  });
  after(async () => {
    store.stop();
    await dir.remove();
  });

  it('an empty gallery without a key: no key written at start; another process enrolling is seen at the next look', async () => {
    const gallery = service();
    gallery.start();
    assert.equal(existsSync(keyFile), false, 'a gateway that never enrolls writes no key');
    const closed = gallery.gallery;
    assert.equal(closed, undefined);
    assert.deepEqual(gallery.records(), []);
    assert.equal(gallery.unavailable, undefined);

    // `huxiao enroll` in another process: its own connection to the same database file, creating the key.
    const cli = openGallery(dir.path, { keyFile });
    cli.gallery.enroll(student(syntheticFaces(3), 'S1', '张晓明').request);
    cli.close();
    assert.deepEqual(gallery.records().map((person) => person.id), ['S1']);
    assert.equal(gallery.gallery?.person('S1').name, '张晓明');
    await gallery.stop();
  });

  it('persons enrolled and the key gone: unavailable with the reason, logged, and no new key written', async () => {
    renameSync(keyFile, `${keyFile}.moved`);
    const logs = captureLogs();
    const gallery = service();
    try {
      gallery.start();
      assert.match(gallery.unavailable ?? '', /gallery\.key: missing, and the gallery holds 1 persons/);
      assert.equal(existsSync(keyFile), false, 'no new key over sealed persons');
      assert.deepEqual(gallery.records(), []);
      assert.throws(() => gallery.enrollment(), { code: 'GALLERY_UNAVAILABLE', message: /^the gallery of this gateway is not running: .*gallery\.key: missing/ });
      assert.ok(logs.records().some((record) => record.msg === 'the gallery is unavailable: no enrollment, no identification; the gateway runs on'));
    } finally {
      logs.restore();
      await gallery.stop();
      renameSync(`${keyFile}.moved`, keyFile);
    }
    const again = service();
    again.start();
    assert.deepEqual(again.records().map((person) => person.id), ['S1'], 'the right key back: everything opens again');
    assert.throws(() => again.gallery?.person('S9'), { code: 'GALLERY_UNKNOWN_PERSON' });
    await again.stop();
    assert.throws(() => again.enrollment(), { code: 'GALLERY_UNAVAILABLE' });
  });
});
