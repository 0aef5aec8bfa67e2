import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rootLogger } from '../../../edge/log.js';
import { Store } from '../../../edge/store/store.js';
import { runCli } from '../../helpers/cli.js';
import { openGallery, student, syntheticFaces } from '../../helpers/gallery.js';
import { tempDir } from '../../helpers/tmp.js';

rootLogger.level = 'error';

describe('huxiao gallery', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let config: string;
  before(async () => {
    dir = await tempDir('gallery-cli');
    config = join(dir.path, 'config.yaml');
    writeFileSync(config, `gateway: { id: gw-1 }\ncameras: []\nstorage: { dir: ${dir.path} }\nidentity: { keyFile: ${join(dir.path, 'gallery.key')} }\n`);
    const faces = syntheticFaces(21);
    const open = openGallery(dir.path, { clock: () => Date.parse('2025-03-01T08:30:00Z') });
    open.gallery.enroll(student(faces, 'S2025001', '张晓明').request);
    open.gallery.enroll(student(faces, 'S2025002', '王芳', { class: '五年级一班', by: 'teacher-wu' }).request);
    open.gallery.enroll(student(faces, 'K001', '李某', { list: 'keypersons:theft', class: '', school: '' }).request);
    open.close();
  });
  after(() => dir.remove());

  it('lists ids, lists and who enrolled them when, without names', async () => {
    const result = await runCli(['gallery', 'list', '--config', config]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      [
        'id        list              enrolled at           by',
        'K001      keypersons:theft  2025-03-01T08:30:00Z  installer-li',
        'S2025001  students          2025-03-01T08:30:00Z  installer-li',
        'S2025002  students          2025-03-01T08:30:00Z  teacher-wu',
        '3 persons',
        '',
      ].join('\n'),
    );
    assert.equal(result.stderr, '');
  });

  it('prints names and classes with --names, for one list with --list', async () => {
    const result = await runCli(['gallery', 'list', '--config', config, '--list', 'students', '--names']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.split('\n').map((line) => line.split(/\s{2,}/)), [
      ['id', 'list', 'enrolled at', 'by', 'name', 'class'],
      ['S2025001', 'students', '2025-03-01T08:30:00Z', 'installer-li', '张晓明', '三年级二班'],
      ['S2025002', 'students', '2025-03-01T08:30:00Z', 'teacher-wu', '王芳', '五年级一班'],
      ['2 persons'],
      [''],
    ]);
  });

  it('shows one person with their details', async () => {
    const result = await runCli(['gallery', 'show', 'S2025002', '--config', config]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trimEnd().split('\n').map((line) => line.split(/\s{2,}/)), [
      ['id:', 'S2025002'],
      ['list:', 'students'],
      ['name:', '王芳'],
      ['class:', '五年级一班'],
      ['school:', '东湖小学'],
      ['consent:', '监护人同意书-S2025002'],
      ['enrolled:', '2025-03-01T08:30:00Z by teacher-wu'],
      ['changed:', '2025-03-01T08:30:00Z'],
      ['embeddings:', '2 x 1024'],
    ]);
  });

  it('names an unknown person with GALLERY_UNKNOWN_PERSON', async () => {
    const result = await runCli(['gallery', 'show', 'S9', '--config', config]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'huxiao: GALLERY_UNKNOWN_PERSON: no person "S9" in the gallery\n');
    assert.equal(result.stdout, '');
  });

  it('needs the key for names (GALLERY_KEY when it is gone) but not for the list or a removal, which is audited', async () => {
    const keyFile = join(dir.path, 'gallery.key');
    renameSync(keyFile, `${keyFile}.moved`);
    try {
      const show = await runCli(['gallery', 'show', 'K001', '--config', config]);
      assert.equal(show.code, 1);
      assert.match(show.stderr, /^huxiao: GALLERY_KEY: .*gallery\.key: missing, and the gallery holds 3 persons/);
      assert.equal((await runCli(['gallery', 'list', '--config', config])).code, 0);

      const missingBy = await runCli(['gallery', 'remove', 'K001', '--config', config]);
      assert.notEqual(missingBy.code, 0);
      assert.match(missingBy.stderr, /required option '--by <who>' not specified/);

      const removed = await runCli(['gallery', 'remove', 'K001', '--by', 'principal-zhao', '--config', config]);
      assert.equal(removed.code, 0, removed.stderr);
      assert.equal(removed.stdout, 'removed K001 (list keypersons:theft) by principal-zhao; no copy left in the database or its WAL\n');
    } finally {
      renameSync(`${keyFile}.moved`, keyFile);
    }
    const store = new Store({ path: join(dir.path, 'huxiao.db') });
    store.start();
    try {
      const [last] = store.audit.recent(1);
      assert.deepEqual({ ...last, at: 0 }, { at: 0, command: 'gallery.remove', correlation: null, outcome: 'ok', code: null, detail: 'list keypersons:theft', actor: 'principal-zhao', subject: 'K001' });
    } finally {
      store.stop();
    }
    const list = await runCli(['gallery', 'list', '--config', config]);
    assert.doesNotMatch(list.stdout, /K001/);
    assert.match(list.stdout, /^2 persons$/m);
  });
});
