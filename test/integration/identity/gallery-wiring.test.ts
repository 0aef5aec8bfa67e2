import '../../helpers/quiet.js';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { identitySchema } from '../../../edge/config/identity.js';
import { loadConfig } from '../../../edge/config/load.js';
import { Controller } from '../../../edge/controller.js';
import type { Gallery } from '../../../edge/gallery/gallery.js';
import { GalleryIdentity } from '../../../edge/gallery/gallery-identity.js';
import { similarityScore } from '../../../edge/identity/score.js';
import { cosine } from '../../../edge/vision/face-embedder.js';
import { openGallery, student, syntheticFaces, type OpenGallery } from '../../helpers/gallery.js';
import { tempDir } from '../../helpers/tmp.js';

describe('the gallery as the live pipeline uses it (GalleryIdentity over the encrypted gallery)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let open: OpenGallery;
  const faces = syntheticFaces(14);
  const zhang = student(faces, 'S1', '张三');
  const li = student(faces, 'S2', '李四', { class: '三年级一班' });
  const key = student(faces, 'K1', '赵六', { list: 'keypersons:theft', class: '' });

  before(async () => {
    dir = await tempDir('gallery-identity');
    open = openGallery(dir.path);
    for (const person of [zhang, li, key]) open.gallery.enroll(person.request);
  });

  after(async () => {
    open.close();
    await dir.remove();
  });

  it('matches through Gallery.match: the nearest person, the calibrated score of its exact cosine, the runner-up of any list', () => {
    const identity = new GalleryIdentity(open.gallery, identitySchema.parse({ lists: { students: { threshold: 92 } } }));
    const match = identity.match(zhang.probe);
    const [first, second] = open.gallery.match(zhang.probe, { k: 2 });
    assert.ok(match !== undefined && first !== undefined && second !== undefined);
    assert.deepEqual(match, { personId: 'S1', list: 'students', score: similarityScore(first.similarity), runnerUp: similarityScore(second.similarity) });
    assert.ok(match.score > similarityScore(second.similarity), JSON.stringify(match));
    // The exact cosine with the template, not an index estimate.
    const template = zhang.request.embeddings.reduce((sum, e) => sum.map((v, i) => v + (e[i] ?? 0)), new Float32Array(zhang.probe.length));
    const norm = Math.hypot(...template);
    assert.equal(first.similarity.toFixed(5), cosine(zhang.probe, template.map((v) => v / norm)).toFixed(5));
    assert.equal(identity.threshold('students'), 92);
    assert.equal(identity.threshold('keypersons:theft'), 90);
  });

  it('shares names per list as the config says, reads them decrypted on demand, and forgets a removed person', () => {
    const identity = new GalleryIdentity(open.gallery, identitySchema.parse({ lists: { 'keypersons:theft': { shareNames: true } } }));
    assert.equal(identity.sharesNames('students'), false);
    assert.equal(identity.sharesNames('keypersons:theft'), true);
    assert.deepEqual(identity.names('S2'), { name: '李四', class: '三年级一班' });
    assert.deepEqual(identity.names('K1'), { name: '赵六', class: undefined });
    open.gallery.remove('S2', { by: 'test' });
    assert.equal(identity.names('S2'), undefined);
    assert.notEqual(identity.match(li.probe)?.personId, 'S2');
  });

  it('follows a gallery that opens later (GalleryService: an empty gallery opens at the first enrollment)', () => {
    const service: { gallery: Gallery | undefined } = { gallery: undefined };
    const identity = new GalleryIdentity(service, identitySchema.parse({}));
    assert.equal(identity.match(zhang.probe), undefined);
    assert.equal(identity.names('S1'), undefined);
    service.gallery = open.gallery;
    assert.equal(identity.match(zhang.probe)?.personId, 'S1');
    assert.equal(identity.names('S1')?.name, '张三');
  });

  it('matches nobody and names nobody while the gallery is not open', () => {
    mkdirSync(join(dir.path, 'closed'));
    const closed = openGallery(join(dir.path, 'closed'));
    closed.gallery.enroll(student(faces, 'S9', '钱七').request);
    closed.gallery.stop();
    const identity = new GalleryIdentity(closed.gallery, identitySchema.parse({}));
    assert.equal(identity.match(zhang.probe), undefined);
    assert.equal(identity.names('S9'), undefined);
    closed.store.stop();
  });
});

describe('the gallery phase with and without identity rules', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;

  before(async () => {
    dir = await tempDir('gallery-phase');
  });

  after(async () => {
    await dir.remove();
  });

  function configFile(name: string, rule: string): { configPath: string; keyFile: string } {
    const keyFile = join(dir.path, `${name}.key`);
    const configPath = join(dir.path, `${name}.yaml`);
    writeFileSync(
      configPath,
      [
        'gateway: { id: gw-1, timezone: UTC }',
        // A camera nobody serves: it retries in the background; the phases are what this test looks at.
        'cameras: [{ id: pond, url: "rtsp://127.0.0.1:9/none", zones: [{ id: bank, polygon: [[0, 0], [100, 0], [100, 100]] }] }]',
        `rules: [${rule}]`,
        `storage: { dir: "${join(dir.path, name)}" }`,
        `identity: { keyFile: "${keyFile}" }`,
        `audio: { device: "null", chime: { enabled: false }, cache: { dir: "${join(dir.path, `${name}-audio`)}" } }`,
        'web: { enabled: false }',
      ].join('\n'),
    );
    return { configPath, keyFile };
  }

  it('without identity rules: the gallery phase runs for enrollment, but an empty gallery writes no key; no face models', async () => {
    const { configPath, keyFile } = configFile('plain', '{ id: in, type: intrusion, camera: pond, zone: bank }');
    const controller = new Controller({ config: loadConfig(configPath), configPath });
    await controller.start();
    try {
      assert.equal(controller.gallery.gallery, undefined);
      assert.equal(existsSync(keyFile), false);
      assert.deepEqual(controller.vision.health().map((h) => h.role), ['detector']);
    } finally {
      const report = await controller.stop();
      assert.equal(report.stopped.includes('gallery'), true, report.stopped.join(', '));
    }
  });

  it('with a fence rule that identifies: the face models load; an empty gallery opens (and creates its key) only at the first enrollment', async () => {
    const { configPath, keyFile } = configFile('fence', '{ id: fence, type: intrusion, camera: pond, zone: bank, identify: true }');
    const controller = new Controller({ config: loadConfig(configPath), configPath });
    await controller.start();
    try {
      assert.equal(controller.gallery.gallery, undefined);
      assert.equal(existsSync(keyFile), false);
      assert.equal(controller.gallery.enrollment().gallery.started, true);
      const service = controller.gallery;
      assert.equal(service.gallery?.started, true, 'the service keeps the gallery the enrollment opened');
      assert.equal(existsSync(keyFile), true);
      assert.deepEqual(controller.vision.health().map((h) => [h.role, h.state]), [['detector', 'ready'], ['face-detector', 'ready'], ['face-embedder', 'ready']]);
    } finally {
      const report = await controller.stop();
      const order = report.stopped;
      assert.ok(order.indexOf('gallery') > order.indexOf('alerts') && order.indexOf('gallery') < order.indexOf('storage'), order.join(', '));
      assert.deepEqual(report.failed, []);
    }
  });
});
