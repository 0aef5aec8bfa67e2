import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../../edge/config/load.js';
import { HuxiaoError } from '../../../edge/errors.js';
import { sharedIdentity } from '../../../edge/identity/gallery-share.js';
import { GalleryStore } from '../../../edge/gallery/gallery-store.js';
import { Gallery } from '../../../edge/gallery/gallery.js';
import { rootLogger } from '../../../edge/log.js';
import { Store } from '../../../edge/store/store.js';
import { openGallery, student, syntheticFaces } from '../../helpers/gallery.js';
import { tempDir } from '../../helpers/tmp.js';

rootLogger.level = 'error';

function galleryError(code: string, message: RegExp): (error: unknown) => boolean {
  return (error: unknown) => error instanceof HuxiaoError && error.code === code && message.test(error.message);
}

describe('Gallery on a real store', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir('gallery');
  });
  after(() => dir.remove());

  it('enrolls, matches, and after a restart rebuilds the same index from the encrypted rows', async () => {
    const here = await tempDir('gallery-roundtrip');
    try {
      const faces = syntheticFaces(1);
      const first = openGallery(here.path, { clock: () => 1_735_700_000_000 });
      assert.equal(statSync(first.keyFile).mode & 0o777, 0o600);
      const zhang = student(faces, 'S2025001', '张晓明');
      const wang = student(faces, 'S2025002', '王芳', { class: '五年级一班' });
      const watched = student(faces, 'K001', '李某', { list: 'keypersons:theft', class: '', school: '' });
      const enrolled = first.gallery.enroll(zhang.request);
      assert.deepEqual(enrolled, { id: 'S2025001', list: 'students', enrolledAt: 1_735_700_000_000, enrolledBy: 'installer-li', updatedAt: 1_735_700_000_000 });
      first.gallery.enroll(wang.request);
      first.gallery.enroll(watched.request);
      for (let i = 0; i < 50; i += 1) first.gallery.enroll(student(faces, `X${String(i)}`, `学生${String(i)}`).request);
      const before = first.gallery.match(zhang.probe, { k: 3 });
      assert.equal(before[0]?.id, 'S2025001');
      assert.equal(before[0].list, 'students');
      assert.ok(before[0].similarity > (before[1]?.similarity ?? 1));
      assert.deepEqual(first.gallery.match(watched.probe, { lists: ['keypersons:theft'] }).map((m) => m.id), ['K001']);
      assert.notEqual(first.gallery.match(watched.probe, { lists: ['students'] })[0]?.id, 'K001');
      first.close();

      const second = openGallery(here.path);
      try {
        assert.equal(second.gallery.size, 53);
        assert.deepEqual(second.gallery.match(zhang.probe, { k: 3 }), before);
        assert.deepEqual(second.gallery.person('S2025002'), {
          id: 'S2025002', list: 'students', enrolledAt: 1_735_700_000_000, enrolledBy: 'installer-li', updatedAt: 1_735_700_000_000,
          name: '王芳', class: '五年级一班', school: '东湖小学', consent: '监护人同意书-S2025002',
        });
        assert.deepEqual(second.gallery.person('K001'), {
          id: 'K001', list: 'keypersons:theft', enrolledAt: 1_735_700_000_000, enrolledBy: 'installer-li', updatedAt: 1_735_700_000_000, name: '李某', consent: '监护人同意书-K001',
        });
      } finally {
        second.close();
      }
    } finally {
      await here.remove();
    }
  });

  it('audits every enrollment, change and removal by person id, action, who and when, never by name', async () => {
    const here = await tempDir('gallery-audit');
    let now = 1_000;
    const open = openGallery(here.path, { clock: () => now });
    try {
      const faces = syntheticFaces(2);
      open.gallery.enroll({ ...student(faces, 'S1', '张晓明').request, correlation: 'c0ffee' });
      now = 2_000;
      const changed = open.gallery.change('S1', { name: '张小明', class: '四年级二班' }, { by: 'teacher-wu' });
      assert.equal(changed.updatedAt, 2_000);
      assert.equal(open.gallery.person('S1').name, '张小明');
      now = 2_500;
      open.gallery.change('S1', { list: 'keypersons:truancy' }, { by: 'teacher-wu' });
      assert.equal(open.gallery.person('S1').list, 'keypersons:truancy');
      assert.deepEqual(open.gallery.change('S1', { name: ' 张小明 ' }, { by: 'teacher-wu' }).updatedAt, 2_500, 'no change, no write');
      now = 3_000;
      assert.deepEqual(open.gallery.remove('S1', { by: 'principal-zhao' }), { id: 'S1', list: 'keypersons:truancy', wiped: true });
      assert.deepEqual(open.store.audit.recent(10), [
        { at: 3_000, command: 'gallery.remove', correlation: null, outcome: 'ok', code: null, detail: 'list keypersons:truancy', actor: 'principal-zhao', subject: 'S1' },
        { at: 2_500, command: 'gallery.change', correlation: null, outcome: 'ok', code: null, detail: 'changed list students -> keypersons:truancy', actor: 'teacher-wu', subject: 'S1' },
        { at: 2_000, command: 'gallery.change', correlation: null, outcome: 'ok', code: null, detail: 'changed name, class', actor: 'teacher-wu', subject: 'S1' },
        { at: 1_000, command: 'gallery.enroll', correlation: 'c0ffee', outcome: 'ok', code: null, detail: 'list students, 2 embeddings', actor: 'installer-li', subject: 'S1' },
      ]);
      assert.throws(() => open.gallery.person('S1'), galleryError('GALLERY_UNKNOWN_PERSON', /no person "S1"/));
      assert.throws(() => open.gallery.remove('S1', { by: 'x' }), galleryError('GALLERY_UNKNOWN_PERSON', /S1/));
      assert.equal(open.store.audit.recent(10).length, 4, 'a failed removal changes nothing and writes no audit row');
    } finally {
      open.close();
      await here.remove();
    }
  });

  it('rejects invalid enrollments with the field named, and writes nothing for them', () => {
    const open = openGallery(dir.path);
    try {
      const faces = syntheticFaces(3);
      const good = student(faces, 'S1', '张晓明').request;
      open.gallery.enroll(good);
      const cases: [Partial<typeof good>, string, RegExp][] = [
        [{ id: 'S2', list: 'teachers' }, 'GALLERY_INVALID', /^list: expected "students" or "keypersons:<category>", got "teachers"/],
        [{ id: 'a/b' }, 'GALLERY_INVALID', /^id: expected 1-64 letters/],
        [{ id: 'S2', name: '  ' }, 'GALLERY_INVALID', /^name: required/],
        [{ id: 'S2', consent: '' }, 'GALLERY_INVALID', /^consent: required/],
        [{ id: 'S2', by: ' ' }, 'GALLERY_INVALID', /^by: /],
        [{ id: 'S2', embeddings: [] }, 'GALLERY_INVALID', /^embeddings: expected 1-32 embeddings, got 0/],
        [{ id: 'S2', embeddings: [new Float32Array(512).fill(1 / Math.sqrt(512))] }, 'GALLERY_INVALID', /^embeddings\[0\]: has 512 values, the gallery holds 1024-value embeddings/],
        [{ id: 'S2', embeddings: [faces.photo(faces.identity()).map((v) => v * 2)] }, 'GALLERY_INVALID', /^embeddings\[0\]: is not L2-normalized \(norm 2\.0000\)/],
        [{ id: 'S2', embeddings: [faces.photo(faces.identity()), new Float32Array(1024).fill(Number.NaN)] }, 'GALLERY_INVALID', /^embeddings\[1\]: has a value that is not finite/],
        [{}, 'GALLERY_PERSON_EXISTS', /person "S1" is already enrolled/],
      ];
      for (const [change, code, message] of cases) assert.throws(() => open.gallery.enroll({ ...good, ...change }), galleryError(code, message), message.source);
      assert.equal(open.gallery.size, 1);
      assert.equal(new GalleryStore(open.store).count(), 1);
      assert.throws(() => open.gallery.match(new Float32Array(3)), galleryError('GALLERY_INVALID', /face: has 3 values/));
    } finally {
      open.close();
    }
  });

  it('follows changes another process commits: a person removed or enrolled elsewhere is (no longer) matched', async () => {
    const here = await tempDir('gallery-sync');
    const service = openGallery(here.path);
    const other = new Store({ path: service.path });
    other.start();
    const cli = new Gallery({ store: other, keyFile: service.keyFile });
    cli.start();
    try {
      const faces = syntheticFaces(4);
      const zhang = student(faces, 'S1', '张晓明');
      const wang = student(faces, 'S2', '王芳');
      service.gallery.enroll(zhang.request);
      for (let i = 0; i < 20; i += 1) service.gallery.enroll(student(faces, `X${String(i)}`, `学生${String(i)}`).request);
      assert.equal(service.gallery.match(zhang.probe)[0]?.id, 'S1');
      new GalleryStore(other).remove('S1', { by: 'installer-li' });
      assert.notEqual(service.gallery.match(zhang.probe)[0]?.id, 'S1');
      assert.equal(service.gallery.size, 20);
      cli.enroll(wang.request);
      service.gallery.enroll(student(faces, 'S3', '赵六').request);
      cli.change('X3', { list: 'keypersons:theft' }, { by: 'installer-li' });
      assert.equal(service.gallery.match(wang.probe)[0]?.id, 'S2');
      assert.equal(service.gallery.size, 22);
      assert.deepEqual(service.gallery.match(wang.probe, { lists: ['keypersons:theft'] }).map((m) => m.id), ['X3']);
    } finally {
      cli.stop();
      other.stop();
      service.close();
      await here.remove();
    }
  });

  it('shares names and classes with the centre only for the lists the config allows', () => {
    const config = parseConfig(
      'gateway: { id: gw-1 }\ncameras: []\nidentity: { lists: { "keypersons:theft": { shareNames: true, threshold: 95 } } }\n',
      'test.yaml',
    ).identity;
    const base = { name: '张晓明', class: '三年级二班', school: '东湖小学', consent: 'C-1' };
    assert.deepEqual(sharedIdentity(config, { id: 'S1', list: 'students', ...base }), { personId: 'S1', list: 'students' });
    assert.deepEqual(sharedIdentity(config, { id: 'K1', list: 'keypersons:theft', ...base }), { personId: 'K1', list: 'keypersons:theft', name: '张晓明', class: '三年级二班' });
    assert.equal(config.keyFile, '/etc/huxiao/secrets/gallery.key');
  });
});
