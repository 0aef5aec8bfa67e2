import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { loadConfig } from '../../../edge/config/load.js';
import { Controller } from '../../../edge/controller.js';
import { rootLogger } from '../../../edge/log.js';
import { groupPhotoPath, portraitPath } from '../../helpers/face-set.js';
import { startMosquitto, type TestBroker } from '../../helpers/mosquitto.js';
import { schemaErrors } from '../../helpers/payload-schemas.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait.js';
import { wavFacts } from '../../helpers/wav.js';
import { Centre } from './centre.js';

rootLogger.level = 'error';

const GATEWAY = 'gw-enroll';
const ROOT = `huxiao/${GATEWAY}`;
const NAME = '张晓明';

interface Reply {
  readonly ok: boolean;
  readonly result?: Record<string, unknown>;
  readonly error?: { readonly code: string; readonly message: string };
}

async function jpeg(path: string): Promise<string> {
  return (await sharp(path).jpeg({ quality: 92 }).toBuffer()).toString('base64');
}

describe('cmd/enroll and cmd/unenroll over mosquitto, into a running gateway', { timeout: 120_000 }, () => {
  let broker: TestBroker;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let controller: Controller;
  let centre: Centre;
  let audioDir: string;

  before(async () => {
    broker = await startMosquitto();
    dir = await tempDir('enroll-commands');
    audioDir = join(dir.path, 'audio');
    const configPath = join(dir.path, 'config.yaml');
    writeFileSync(
      configPath,
      `gateway: { id: ${GATEWAY} }
cameras:
  - { id: pond, enabled: false, url: "rtsp://127.0.0.1:9/none", detect: { width: 640, height: 480, fps: 5 }, zones: [{ id: fence, name: 池塘, polygon: [[0, 0], [640, 0], [640, 480]] }] }
rules: [{ id: pond-fence, type: intrusion, camera: pond, zone: fence, actions: [named] }]
actions: [{ id: named, type: voice, template: "{class}{name}同学，请离开{zone}！", fallback: "请离开水边！" }]
storage: { dir: ${join(dir.path, 'store')} }
identity: { keyFile: ${join(dir.path, 'gallery.key')} }
audio: { device: "null", chime: { enabled: false }, cache: { dir: ${audioDir} } }
mqtt: { url: "${broker.url}", username: ${broker.username}, password: ${JSON.stringify(broker.password)}, reconnectSeconds: 0.3 }
web: { enabled: false }
`,
    );
    controller = new Controller({ config: loadConfig(configPath), configPath });
    await controller.start();
    centre = await Centre.connect(broker, { tls: false, clientId: 'centre-enroll', subscribe: ['centre/replies'] });
    await waitFor('the uplink to connect', () => controller.uplink?.connected === true);
  });

  after(async () => {
    await centre.close();
    await controller.stop();
    await broker.dispose();
    await dir.remove();
  });

  async function command(name: string, args: Record<string, unknown>, correlation = Buffer.from(randomUUID())): Promise<Reply> {
    const payload = Buffer.from(JSON.stringify({ ts: Date.now(), nonce: randomUUID(), args }));
    await centre.client.publishAsync(`${ROOT}/cmd/${name}`, payload, { qos: 1, properties: { responseTopic: 'centre/replies', correlationData: correlation } });
    let reply: Buffer | undefined;
    await waitFor(`the reply to ${name}`, () => {
      reply = centre.received.find((m) => Buffer.isBuffer(m.properties.correlationData) && m.properties.correlationData.equals(correlation))?.payload;
      return reply !== undefined;
    }, 60_000);
    const parsed = JSON.parse(reply?.toString() ?? '{}') as Reply;
    assert.deepEqual(schemaErrors('command-reply.v1', parsed), []);
    return parsed;
  }

  const ids = (): string[] => controller.gallery.gallery?.records().map((person) => person.id) ?? [];
  const databaseBytes = (): Buffer => Buffer.concat(['huxiao.db', 'huxiao.db-wal'].map((file) => join(dir.path, 'store', file)).filter((path) => existsSync(path)).map((path) => readFileSync(path)));

  it('enrolls a student from two base64 JPEGs: in the gallery, audited with the centre as actor, name clip rendered', async () => {
    const args = { id: 'S2025001', list: 'students', name: NAME, class: '三年级二班', consent: 'GC-2025-001', photos: [await jpeg(portraitPath('amy', 1)), await jpeg(portraitPath('amy', 2))], by: 'duty officer Li' };
    assert.deepEqual(schemaErrors('cmd-enroll.args.v1', args), []);
    const correlation = Buffer.from('enroll-1');
    const reply = await command('enroll', args, correlation);
    assert.equal(reply.ok, true, JSON.stringify(reply.error));
    assert.deepEqual({ ...reply.result, enrolledAt: 0 }, { id: 'S2025001', list: 'students', enrolledAt: 0, enrolledBy: 'centre:duty officer Li', photos: 2, voice: { clips: 1 } });
    assert.ok(!JSON.stringify(reply).includes(NAME), 'the reply does not carry the name');
    assert.deepEqual(ids(), ['S2025001']);
    assert.equal(controller.gallery.gallery?.person('S2025001').name, NAME);

    const rows = controller.store.audit.recent(10);
    const enroll = rows.find((row) => row.command === 'gallery.enroll');
    assert.deepEqual([enroll?.subject, enroll?.actor, enroll?.correlation], ['S2025001', 'centre:duty officer Li', correlation.toString('hex')]);
    assert.equal(rows.find((row) => row.command === 'enroll')?.outcome, 'ok');

    const [key] = readdirSync(join(audioDir, 'names'));
    const clip = join(audioDir, 'names', key ?? '', 'S2025001.wav');
    assert.ok(wavFacts(clip).seconds > 1.5);
    assert.equal(databaseBytes().includes(Buffer.from(NAME)), false, 'the database file holds no readable name');
  });

  it('answers bad input with a clear error, stores nothing, and keeps running', async () => {
    const base = { list: 'students', name: '李四', consent: 'GC-2' };
    const cases: { id: string; photos: string[]; code: string; message: RegExp }[] = [
      { id: 'S2', photos: ['not base64!'], code: 'PHOTO_UPLOAD', message: /^photos\[0\]: not base64/ },
      { id: 'S3', photos: [(await sharp(portraitPath('raj', 1)).png().toBuffer()).toString('base64')], code: 'PHOTO_UPLOAD', message: /^photos\[0\]: not a JPEG file$/ },
      { id: 'S4', photos: ['A'.repeat(1_400_000)], code: 'CMD_MALFORMED', message: /photos\.0: a photo may have at most 1 MiB/ },
      { id: 'S5', photos: [await jpeg(portraitPath('raj', 1)), await jpeg(groupPhotoPath('bbt1.jpg'))], code: 'FACE_PHOTO', message: /^photos\[1\]: 4 faces found, .* the photo must show one person$/ },
      { id: 'S6', photos: [Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]).toString('base64')], code: 'FACE_PHOTO', message: /^photos\[0\]: not an image or unreadable/ },
      { id: 'S2025001', photos: [await jpeg(portraitPath('raj', 2))], code: 'GALLERY_PERSON_EXISTS', message: /already enrolled/ },
    ];
    for (const { id, photos, code, message } of cases) {
      const reply = await command('enroll', { ...base, id, photos });
      assert.equal(reply.ok, false, id);
      assert.equal(reply.error?.code, code, `${id}: ${reply.error?.message ?? ''}`);
      assert.match(reply.error.message, message);
    }
    const unknown = await command('unenroll', { id: 'S404' });
    assert.deepEqual(unknown.error, { code: 'GALLERY_UNKNOWN_PERSON', message: 'no person "S404" in the gallery' });
    assert.deepEqual(ids(), ['S2025001'], 'nothing stored');
    assert.equal(controller.store.audit.recent(50).filter((row) => row.command === 'gallery.enroll').length, 1);
    assert.equal((await command('ping', {})).ok, true, 'the gateway still answers');
  });

  it('unenrolls: gone from the gallery, its name clip deleted, the database without a trace of the name', async () => {
    const reply = await command('unenroll', { id: 'S2025001', by: 'duty officer Li' });
    assert.equal(reply.ok, true, JSON.stringify(reply.error));
    assert.deepEqual(reply.result, { id: 'S2025001', list: 'students', wiped: true, clips: 1 });
    assert.deepEqual(ids(), []);
    assert.deepEqual(readdirSync(join(audioDir, 'names')), []);
    const removal = controller.store.audit.recent(10).find((row) => row.command === 'gallery.remove');
    assert.deepEqual([removal?.subject, removal?.actor], ['S2025001', 'centre:duty officer Li']);
    assert.equal(databaseBytes().includes(Buffer.from(NAME)), false);
  });
});
