import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Actions } from '../../../edge/actions/actions.js';
import { AudioCache } from '../../../edge/actions/audio-cache.js';
import { ClipRenderer } from '../../../edge/actions/clip-renderer.js';
import { namedSentences } from '../../../edge/actions/named-sentences.js';
import { nameClipsDir, PersonVoice } from '../../../edge/actions/person-voice.js';
import type { PlaybackEvent } from '../../../edge/actions/player.js';
import { parseConfig } from '../../../edge/config/load.js';
import { Enrollment, FacePhotosError } from '../../../edge/gallery/enrollment.js';
import { facePhoto, FacePhotoError } from '../../../edge/identity/face-photo.js';
import { openFaceModels, type FaceModels } from '../../../edge/identity/face-models.js';
import { visionSchema } from '../../../edge/config/vision.js';
import { rootLogger } from '../../../edge/log.js';
import { groupPhotoPath, portraitPath } from '../../helpers/face-set.js';
import { openGallery, type OpenGallery } from '../../helpers/gallery.js';
import { soundSink } from '../../helpers/sound-sink.js';
import { tempDir } from '../../helpers/tmp.js';
import { wavFacts } from '../../helpers/wav.js';

rootLogger.level = 'error';

const NAMED = '{class}{name}同学，请立即离开{zone}！';
const SENTENCE = '三年级二班张晓明同学，请立即离开池塘！';

function configText(audioDir: string, device: string): string {
  return `gateway: { id: gw-enroll }
cameras:
  - id: pond
    url: rtsp://127.0.0.1:9/none
    detect: { width: 640, height: 480, fps: 5 }
    zones: [{ id: fence, name: 池塘, polygon: [[0, 0], [640, 0], [640, 480], [0, 480]] }]
rules:
  - { id: pond-fence, type: intrusion, camera: pond, zone: fence, actions: [named] }
actions:
  - { id: named, type: voice, template: "${NAMED}", fallback: "请立即离开水边！", maxRepeats: 1 }
audio: { device: ${JSON.stringify(device)}, chime: { enabled: false }, cache: { dir: ${JSON.stringify(audioDir)} } }
`;
}

describe('enrollment from photos, with the name clips of the warnings (real models, espeak-ng, sox, aplay)', { timeout: 120_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let models: FaceModels;
  let open: OpenGallery;
  let enrollment: Enrollment;
  let config: ReturnType<typeof parseConfig>;
  let device: string;

  before(async () => {
    dir = await tempDir('enrollment');
    device = soundSink(dir.path, 'speaker').device;
    config = parseConfig(configText(join(dir.path, 'audio'), device), 'config.yaml');
    models = await openFaceModels(visionSchema.parse({}));
    open = openGallery(dir.path);
    const voice = new PersonVoice({ audio: config.audio, sentences: (person) => namedSentences(config, person) });
    enrollment = new Enrollment({ gallery: open.gallery, models: () => Promise.resolve(models), voice });
  });
  after(async () => {
    open.close();
    await models.stop();
    await dir.remove();
  });

  it('enrolls two portraits: matched by a third, audited with the actor, and the named warning rendered', async () => {
    const result = await enrollment.enroll({
      id: 'S2025001',
      list: 'students',
      name: '张晓明',
      class: '三年级二班',
      consent: '监护人同意书-S2025001',
      photos: [{ name: 'amy1.png', source: portraitPath('amy', 1) }, { name: 'amy2.png', source: readFileSync(portraitPath('amy', 2)) }],
      by: 'installer-li',
    });
    assert.equal(result.id, 'S2025001');
    assert.equal(result.photos, 2);
    assert.deepEqual(result.voice, { rendered: 1, kept: 0, removed: 0 });

    const probe = await enrollment.enroll({ list: 'students', name: '王芳', consent: 'c', photos: [{ name: 'raj1.png', source: portraitPath('raj', 1) }], by: 'teacher-wu' });
    const amy3 = (await facePhoto(models, portraitPath('amy', 3))).embedding;
    const [best] = open.gallery.match(amy3);
    assert.equal(best?.id, 'S2025001');
    assert.notEqual(best.id, probe.id);

    const audit = open.store.audit.recent(5).filter((row) => row.command === 'gallery.enroll');
    assert.deepEqual(audit.map((row) => [row.subject, row.actor]), [[probe.id, 'teacher-wu'], ['S2025001', 'installer-li']]);
    assert.ok(!JSON.stringify(audit).includes('张晓明'), 'the audit names no one');

    const clips = await new PersonVoice({ audio: config.audio, sentences: () => [] }).names.clipsOf('S2025001');
    assert.equal(clips.length, 1);
    const facts = wavFacts(clips[0] ?? '');
    assert.equal(facts.sampleRate, 22_050);
    // A 17-syllable sentence at 150 words per minute: a few seconds, and audible.
    assert.ok(facts.seconds > 2 && facts.seconds < 10, `duration ${String(facts.seconds)} s`);
    assert.ok(facts.rms > 0.05, `rms ${String(facts.rms)}`);
  });

  it('the warning plays the clip rendered at enrollment: nothing synthesized at warning time', async () => {
    const renderer = new ClipRenderer(new AudioCache(config.audio.cache), { voice: config.audio.voice, wordsPerMinute: config.audio.wordsPerMinute });
    const key = renderer.speechKey(SENTENCE);
    const clip = join(nameClipsDir(config.audio), key, 'S2025001.wav');
    assert.ok(existsSync(clip), 'the clip of the exact sentence the warning says');
    const actions = new Actions({ audio: config.audio, actions: config.actions, gpio: config.gpio });
    await actions.start();
    try {
      const started = new Promise<Extract<PlaybackEvent, { kind: 'start' }>>((resolve) => {
        actions.onPlayback((event) => {
          if (event.kind === 'start') resolve(event);
        });
      });
      actions.handle({
        kind: 'raised',
        actions: ['named'],
        alert: { id: '01JENROLLTEST0000000000000', rule: 'pond-fence', type: 'intrusion', severity: 'warning', camera: 'pond', zone: '池塘', identity: { name: '张晓明', class: '三年级二班' } },
      });
      const event = await started;
      assert.equal(event.request.wavPath, clip);
      assert.equal(event.request.text, SENTENCE);
    } finally {
      await actions.stop();
    }
    assert.ok(!existsSync(join(config.audio.cache.dir, `${key}.wav`)), 'the cache holds no synthesized copy of the named sentence');
  });

  it('refuses photos without exactly one good face, naming each photo and its problem, and stores nothing', async () => {
    const before = { size: open.gallery.size, audit: open.store.audit.recent(50).length, keys: readdirSync(nameClipsDir(config.audio)).length };
    await assert.rejects(
      enrollment.enroll({ id: 'S2', list: 'students', name: '李四', consent: 'c', photos: [{ name: 'bbt4.jpg', source: groupPhotoPath('bbt4.jpg') }, { name: 'penny1.png', source: portraitPath('penny', 1) }, { name: 'notes.txt', source: Buffer.from('not a picture') }], by: 'installer-li' }),
      (error: unknown) => {
        assert.ok(error instanceof FacePhotosError, String(error));
        assert.equal(error.code, 'FACE_PHOTO');
        assert.deepEqual(error.problems.map((problem) => [problem.photo, problem.reason]), [['bbt4.jpg', 'several-faces'], ['notes.txt', 'unreadable']]);
        assert.match(error.message, /^2 of 3 photos cannot be used: bbt4\.jpg: 6 faces found, .*; the photo must show one person; notes\.txt: not an image or unreadable/);
        return true;
      },
    );
    await assert.rejects(
      enrollment.enroll({ id: 'S3', list: 'students', name: '赵五', consent: 'c', photos: [{ name: 'bbt1.jpg', source: groupPhotoPath('bbt1.jpg') }], by: 'installer-li' }),
      (error: unknown) => error instanceof FacePhotoError && error.reason === 'several-faces' && error.message.startsWith('bbt1.jpg: 4 faces found'),
    );
    await assert.rejects(enrollment.enroll({ id: 'S4', list: 'students', name: ' ', consent: 'c', photos: [{ name: 'amy4.png', source: portraitPath('amy', 4) }], by: 'x' }), /name: required/);
    assert.equal(open.gallery.size, before.size);
    assert.equal(open.store.audit.recent(50).length, before.audit, 'no audit row: nothing happened');
    assert.equal(readdirSync(nameClipsDir(config.audio)).length, before.keys, 'no clip rendered');
    assert.equal(open.gallery.records().some((person) => ['S2', 'S3', 'S4'].includes(person.id)), false);
  });

  it('removal deletes the person and their name clip for real, audited', async () => {
    const [clip] = await new PersonVoice({ audio: config.audio, sentences: () => [] }).names.clipsOf('S2025001');
    assert.ok(clip !== undefined);
    const removal = await enrollment.remove('S2025001', { by: 'principal-zhao' });
    assert.equal(removal.clips, 1);
    assert.equal(removal.wiped, true);
    assert.ok(!existsSync(clip));
    assert.deepEqual(readdirSync(nameClipsDir(config.audio)), [], 'the sentence folder went with its only clip');
    assert.equal(open.gallery.records().some((person) => person.id === 'S2025001'), false);
    const [row] = open.store.audit.recent(1);
    assert.deepEqual([row?.command, row?.subject, row?.actor], ['gallery.remove', 'S2025001', 'principal-zhao']);
    await assert.rejects(enrollment.remove('S2025001', { by: 'principal-zhao' }), { code: 'GALLERY_UNKNOWN_PERSON' });
  });
});
