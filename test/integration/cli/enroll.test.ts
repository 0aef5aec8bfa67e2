import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { rootLogger } from '../../../edge/log.js';
import { Store } from '../../../edge/store/store.js';
import { runCli } from '../../helpers/cli.js';
import { groupPhotoPath, portraitPath } from '../../helpers/face-set.js';
import { tempDir } from '../../helpers/tmp.js';
import { wavFacts } from '../../helpers/wav.js';

rootLogger.level = 'error';

describe('huxiao enroll', { timeout: 180_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let config: string;
  const audit = (): { command: string; subject?: string | null; actor?: string | null }[] => {
    const store = new Store({ path: join(dir.path, 'store', 'huxiao.db') });
    store.start();
    try {
      return store.audit.recent(50).filter((row) => row.command.startsWith('gallery.'));
    } finally {
      store.stop();
    }
  };
  const list = async (): Promise<string[]> => {
    const result = await runCli(['gallery', 'list', '--config', config]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.split('\n').slice(1, -2).map((line) => line.split(/\s+/)[0] ?? '');
  };

  before(async () => {
    dir = await tempDir('enroll-cli');
    config = join(dir.path, 'config.yaml');
    writeFileSync(
      config,
      `gateway: { id: gw-1 }
cameras:
  - { id: pond, url: "rtsp://127.0.0.1:9/none", detect: { width: 640, height: 480, fps: 5 }, zones: [{ id: fence, name: 池塘, polygon: [[0, 0], [640, 0], [640, 480]] }] }
rules: [{ id: pond-fence, type: intrusion, camera: pond, zone: fence, actions: [named] }]
actions: [{ id: named, type: voice, template: "{class}{name}同学，请离开{zone}！", fallback: "请离开水边！" }]
storage: { dir: ${join(dir.path, 'store')} }
identity: { keyFile: ${join(dir.path, 'gallery.key')} }
audio: { cache: { dir: ${join(dir.path, 'audio')} } }
`,
    );
  });
  after(() => dir.remove());

  it('enrolls one person from two photos, renders their named warning, and audits who enrolled them', async () => {
    const result = await runCli(['enroll', '--config', config, '--photo', portraitPath('amy', 1), '--photo', portraitPath('amy', 2), '--id', 'S1', '--name', '张晓明', '--class', '三年级二班', '--consent', 'GC-1', '--by', 'installer-li']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'enrolled S1 (list students) from 2 photos by installer-li; 1 name clip ready\n');
    assert.deepEqual(await list(), ['S1']);
    const names = join(dir.path, 'audio', 'names');
    const [key] = readdirSync(names);
    assert.deepEqual(readdirSync(join(names, key ?? '')), ['S1.wav']);
    assert.ok(wavFacts(join(names, key ?? '', 'S1.wav')).seconds > 1.5);
    assert.deepEqual(audit().map((row) => [row.command, row.subject, row.actor]), [['gallery.enroll', 'S1', 'installer-li']]);
  });

  it('names the photo and its problem, exits 1 and stores nothing when a photo shows several faces', async () => {
    const result = await runCli(['enroll', '--config', config, '--photo', portraitPath('raj', 1), '--photo', groupPhotoPath('bbt1.jpg'), '--id', 'S2', '--name', '李四', '--consent', 'GC-2', '--by', 'installer-li']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, new RegExp(`^huxiao: FACE_PHOTO: ${groupPhotoPath('bbt1.jpg').replace(/[.]/g, '\\.')}: 4 faces found, \\d+, \\d+, \\d+ and \\d+ px wide; the photo must show one person\\n$`));
    assert.deepEqual(await list(), ['S1']);
    assert.equal(audit().length, 1);
  });

  it('enrolls a class from a CSV row by row: a bad photo keeps that person out and the others in', async () => {
    const photos = join(dir.path, 'class', 'photos');
    mkdirSync(photos, { recursive: true });
    for (const [person, n] of [['penny', 1], ['penny', 2], ['howard', 1], ['sheldon', 1]] as const) copyFileSync(portraitPath(person, n), join(photos, `${person}${String(n)}.png`));
    copyFileSync(groupPhotoPath('bbt4.jpg'), join(photos, 'group.jpg'));
    const csv = join(dir.path, 'class', 'class.csv');
    writeFileSync(
      csv,
      [
        'id,name,class,photos',
        'S10,王芳,三年级二班,photos/penny1.png;photos/penny2.png',
        'S11,"刘, 伟",三年级二班,photos/group.jpg',
        'S12,陈静,三年级一班,photos/howard1.png',
        'S13,周杰,三年级一班,photos/missing.png',
        '',
      ].join('\n'),
    );
    const result = await runCli(['enroll', '--config', config, '--csv', csv, '--consent', 'GC-2025-3', '--school', '东湖小学', '--by', 'teacher-wu']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'huxiao: 2 of 4 persons not enrolled (see their "error"); the others are\n');
    const lines = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(lines[0], { line: 2, id: 'S10', list: 'students', photos: 2, voice: { rendered: 1, kept: 0, removed: 0 } });
    assert.deepEqual({ ...lines[1], error: { ...(lines[1]?.error as object), message: '' } }, { line: 3, id: 'S11', error: { code: 'FACE_PHOTO', message: '', photos: [{ photo: 'photos/group.jpg', reason: 'several-faces' }] } });
    assert.match((lines[1]?.error as { message: string }).message, /^photos\/group\.jpg: 6 faces found/);
    assert.equal(lines[2]?.id, 'S12');
    assert.deepEqual((lines[3]?.error as { photos: unknown }).photos, [{ photo: 'photos/missing.png', reason: 'unreadable' }]);
    assert.deepEqual(lines[4], { rows: 4, enrolled: 2, failed: 2 });
    assert.deepEqual(await list(), ['S1', 'S10', 'S12']);
    const show = await runCli(['gallery', 'show', 'S12', '--config', config]);
    assert.match(show.stdout, /school:\s+东湖小学/);
    assert.match(show.stdout, /consent:\s+GC-2025-3/);
    assert.deepEqual(audit().slice(0, 2).map((row) => [row.subject, row.actor]), [['S12', 'teacher-wu'], ['S10', 'teacher-wu']]);
  });

  it('refuses a malformed CSV whole, naming the line, before anyone is enrolled', async () => {
    const csv = join(dir.path, 'bad.csv');
    writeFileSync(csv, 'id,name,photos\nS20,甲,a.png\nS20,乙,b.png\n');
    const twice = await runCli(['enroll', '--config', config, '--csv', csv, '--consent', 'c', '--by', 'x']);
    assert.equal(twice.code, 1);
    assert.equal(twice.stderr, `huxiao: ENROLL_CSV: ${csv} line 3: id S20 again (first on line 2); one line per person, their photos separated by ";"\n`);
    writeFileSync(csv, 'id,name,photo\nS20,甲,a.png\n');
    const column = await runCli(['enroll', '--config', config, '--csv', csv, '--by', 'x']);
    assert.equal(column.stderr, `huxiao: ENROLL_CSV: ${csv} line 1: unknown column "photo"; the columns are id, name, class, school, list, consent, photos\n`);
    writeFileSync(csv, 'name,photos\n甲,a.png\n');
    const consent = await runCli(['enroll', '--config', config, '--csv', csv, '--by', 'x']);
    assert.equal(consent.stderr, `huxiao: ENROLL_CSV: ${csv} line 2: consent is empty and no --consent was given\n`);
    assert.deepEqual(await list(), ['S1', 'S10', 'S12']);
  });

  it('huxiao gallery remove deletes the name clip with the person, without the key', async () => {
    const names = join(dir.path, 'audio', 'names');
    const clipsOf = (id: string): string[] => readdirSync(names).filter((key) => readdirSync(join(names, key)).includes(`${id}.wav`));
    assert.equal(clipsOf('S1').length, 1);
    const result = await runCli(['gallery', 'remove', 'S1', '--by', 'principal-zhao', '--config', config]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'removed S1 (list students) by principal-zhao; no copy left in the database or its WAL; 1 name clip deleted\n');
    assert.deepEqual(clipsOf('S1'), []);
    assert.equal(clipsOf('S10').length, 1, 'another person keeps theirs');
  });
});
