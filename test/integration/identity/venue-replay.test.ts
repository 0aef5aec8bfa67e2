import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { visionSchema } from '../../../edge/config/vision.js';
import { openFaceModels } from '../../../edge/identity/face-models.js';
import { rootLogger } from '../../../edge/log.js';
import { runCli, type CliResult } from '../../helpers/cli.js';
import { groupPhotoPath } from '../../helpers/face-set.js';
import { walkClip, type Walk } from '../../helpers/footage.js';
import { enrollPortraits, portraitFaces, type Enrolled } from '../../helpers/portrait-gallery.js';
import { tempDir } from '../../helpers/tmp.js';

const SCENE = { width: 640, height: 360 } as const;
/** Two people of bbt4's front row walking through the door zone on the right: sheldon is enrolled, penny is not. */
const STUDENT: Walk = { crop: { x: 410, y: 160, width: 220, height: 313 }, scene: SCENE, fromX: 10, toX: 400, walkSeconds: 6, seconds: 9 };
const STRANGER: Walk = { crop: { x: 200, y: 210, width: 200, height: 263 }, scene: SCENE, fromX: 10, toX: 420, walkSeconds: 6, seconds: 9 };
const ENROLLED = new Map<string, Enrolled>([
  ['sheldon', { list: 'students', names: { name: '张三', class: '三年级二班' } }],
  ['leonard', { list: 'students', names: { name: '王五', class: '四年级三班' } }],
  ['howard', { list: 'keypersons:theft', names: { name: '赵六', class: undefined } }],
]);
const NAMES = ['张三', '王五', '赵六', '三年级二班', '四年级三班'];

interface Hit {
  readonly type: string;
  readonly rule?: string;
  readonly ruleType?: string;
  readonly trackId?: number;
  readonly identity?: { readonly personId: string; readonly list: string; readonly score: number };
}

const records = (result: CliResult): Hit[] => result.stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Hit);

/**
 * Issue 14.7 b: a venue entrance replayed with `huxiao replay`, as an installer tunes the rules on recorded footage,
 * against the encrypted gallery of the configured store (enrolled through the Gallery API), the real models, face
 * work inline so the file gives the same records on any machine.
 */
describe('huxiao replay of a venue entrance: an enrolled student raises minor-venue, a stranger raises nothing', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let config: string;
  let student: CliResult;
  let stranger: CliResult;

  before(async () => {
    dir = await tempDir('venue-replay');
    const storeDir = join(dir.path, 'store');
    const keyFile = join(dir.path, 'gallery.key');
    // Enrolling creates the gallery key, which warns (back it up): expected here.
    rootLogger.level = 'error';
    const models = await openFaceModels(visionSchema.parse({}));
    try {
      enrollPortraits(storeDir, keyFile, await portraitFaces(models), ENROLLED);
    } finally {
      await models.stop();
      rootLogger.level = 'warn';
    }
    config = join(dir.path, 'venue.yaml');
    writeFileSync(
      config,
      [
        'gateway: { id: gw-ktv, timezone: UTC }',
        'cameras:',
        '  - id: entrance',
        '    url: "rtsp://127.0.0.1:9/unused"',
        `    detect: { width: ${String(SCENE.width)}, height: ${String(SCENE.height)}, fps: 10 }`,
        '    zones: [{ id: door, polygon: [[380, 0], [640, 0], [640, 360], [380, 360]] }]',
        'rules:',
        '  - { id: minors, type: minor-venue, camera: entrance, zone: door, severity: critical }',
        '  - { id: watch, type: watchlist, camera: entrance }',
        // The control: whoever walks through the door is seen there, identified or not.
        '  - { id: door, type: intrusion, camera: entrance, zone: door }',
        `storage: { dir: "${storeDir}" }`,
        `identity: { keyFile: "${keyFile}" }`,
      ].join('\n'),
    );
    const replay = async (walk: Walk, name: string): Promise<CliResult> => runCli(['replay', '--config', config, '--camera', 'entrance', '-i', await walkClip(groupPhotoPath('bbt4.jpg'), walk, join(dir.path, `${name}.mp4`))]);
    student = await replay(STUDENT, 'student');
    stranger = await replay(STRANGER, 'stranger');
  });

  after(async () => {
    await dir.remove();
  });

  it('raises minor-venue once for the enrolled student, with their person id, list and score', () => {
    assert.equal(student.code, 0, student.stderr);
    const hits = records(student).filter((r) => r.type === 'hit' && r.rule !== 'door');
    assert.equal(hits.length, 1, JSON.stringify(hits));
    const [hit] = hits;
    assert.equal(hit?.rule, 'minors');
    assert.equal(hit.ruleType, 'minor-venue');
    assert.equal(hit.identity?.personId, 'sheldon');
    assert.equal(hit.identity.list, 'students');
    assert.ok(hit.identity.score >= 90, String(hit.identity.score));
    assert.deepEqual(Object.keys(hit.identity).sort(), ['list', 'personId', 'score']);
  });

  it('raises nothing for a stranger who walks through the same door: no minor-venue or watchlist hit, nobody identified', () => {
    assert.equal(stranger.code, 0, stranger.stderr);
    const seen = records(stranger).filter((r) => r.type === 'hit' || r.type === 'identified');
    assert.deepEqual(seen.map((r) => r.rule), ['door'], 'the stranger walked through the door and was seen there');
    assert.equal(seen[0]?.identity, undefined);
  });

  it('prints no name or class, and the same records on a second run', async () => {
    for (const output of [student.stdout, student.stderr, stranger.stdout, stranger.stderr]) assert.deepEqual(NAMES.filter((name) => output.includes(name)), []);
    const again = await runCli(['replay', '--config', config, '--camera', 'entrance', '-i', join(dir.path, 'student.mp4')]);
    assert.equal(again.stdout, student.stdout);
  });
});
