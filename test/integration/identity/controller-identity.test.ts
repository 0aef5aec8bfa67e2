import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PlaybackEvent } from '../../../edge/actions/player.js';
import type { AlertEvent } from '../../../edge/store/alert.js';
import { loadConfig } from '../../../edge/config/load.js';
import { visionSchema } from '../../../edge/config/vision.js';
import { Controller } from '../../../edge/controller.js';
import { openFaceModels } from '../../../edge/identity/face-models.js';
import type { RtspTestServer } from '../../helpers/rtsp-server.js';
import { rootLogger } from '../../../edge/log.js';
import { groupPhotoPath } from '../../helpers/face-set.js';
import { panClip } from '../../helpers/footage.js';
import { captureLogs, type LogRecord } from '../../helpers/logs.js';
import { startMosquitto, type TestBroker } from '../../helpers/mosquitto.js';
import { schemaErrors } from '../../helpers/payload-schemas.js';
import { enrollPortraits, portraitFaces, type Enrolled } from '../../helpers/portrait-gallery.js';
import { startRtspServer } from '../../helpers/rtsp-server.js';
import { soundSink } from '../../helpers/sound-sink.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait.js';
import { Centre } from '../uplink/centre.js';

const GATEWAY = 'gw-pond';
const ROOT = `huxiao/${GATEWAY}`;
const PAN = { width: 400, height: 382, panPx: 194, seconds: 8 } as const;
const TEMPLATE = '{class}{name}同学，请立即离开水边！';
const FALLBACK = '同学，请立即离开水边！';

/** Students' names go to the centre (shareNames), key persons' do not; stuart is enrolled but not in the picture. */
const ENROLLED = new Map<string, Enrolled>([
  ['sheldon', { list: 'students', names: { name: '张三', class: '三年级二班' } }],
  ['penny', { list: 'students', names: { name: '李四', class: '三年级一班' } }],
  ['leonard', { list: 'students', names: { name: '王五', class: '四年级三班' } }],
  ['howard', { list: 'keypersons:theft', names: { name: '赵六', class: undefined } }],
  ['stuart', { list: 'students', names: { name: '钱七', class: '五年级一班' } }],
]);
const NAMES = ['张三', '李四', '王五', '赵六', '钱七', '三年级二班', '三年级一班', '四年级三班'];

interface AlertPayload {
  readonly id: string;
  readonly rule: string;
  readonly identity: { readonly personId: string; readonly list: string; readonly name?: string; readonly class?: string } | null;
}

/**
 * The pond fence as `huxiao run` builds it: the pan over bbt3 from the project's RTSP server, the real models, the
 * gallery seam over the portraits, voice warnings into a real-time sound sink, the centre on mosquitto. Live, so the
 * face work runs beside the detector and which frame an identity lands on varies: the checks are about what was said
 * and sent, not when.
 */
describe('the pond fence with faces: named warnings, identities to the centre, names nowhere else', () => {
  let broker: TestBroker;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RtspTestServer;
  let controller: Controller;
  let centre: Centre;
  let logs: ReturnType<typeof captureLogs>;
  let records: LogRecord[];
  const playbacks: Extract<PlaybackEvent, { kind: 'start' }>[] = [];
  const alertEvents: (AlertEvent & { at: number })[] = [];
  let stored: (AlertPayload['identity'] | undefined)[] = [];
  let stopped = false;

  before(async () => {
    // Enrolling creates the gallery key, which warns (back it up): expected here.
    rootLogger.level = 'error';
    dir = await tempDir('controller-identity');
    const models = await openFaceModels(visionSchema.parse({}));
    const keyFile = join(dir.path, 'gallery.key');
    try {
      enrollPortraits(join(dir.path, 'store'), keyFile, await portraitFaces(models), ENROLLED);
    } finally {
      await models.stop();
    }
    rootLogger.level = 'warn';
    broker = await startMosquitto();
    server = await startRtspServer({ file: await panClip(groupPhotoPath('bbt3.jpg'), PAN, join(dir.path, 'bbt3-pan.mp4')) });
    const sink = soundSink(dir.path, 'speaker');
    const configPath = join(dir.path, 'config.yaml');
    writeFileSync(
      configPath,
      [
        `gateway: { id: ${GATEWAY}, timezone: UTC }`,
        'cameras:',
        `  - id: pond`,
        `    url: "${server.url()}"`,
        `    detect: { width: ${String(PAN.width)}, height: ${String(PAN.height)}, fps: 10 }`,
        `    zones: [{ id: water, name: 水边, polygon: [[0, 0], [120, 0], [120, ${String(PAN.height)}], [0, ${String(PAN.height)}]] }]`,
        'rules:',
        '  - { id: fence, type: intrusion, camera: pond, zone: water, identify: true, severity: critical, actions: [pond-voice] }',
        '  - { id: watch, type: watchlist, camera: pond }',
        'actions:',
        `  - { id: pond-voice, type: voice, template: "${TEMPLATE}", fallback: "${FALLBACK}", repeatSeconds: 2, maxRepeats: 4 }`,
        `storage: { dir: "${join(dir.path, 'store')}" }`,
        `identity: { keyFile: "${keyFile}", lists: { students: { shareNames: true } } }`,
        `audio: { device: '${sink.device}', chime: { enabled: false }, cache: { dir: "${join(dir.path, 'audio')}" } }`,
        `mqtt: { url: "${broker.url}", username: ${broker.username}, password: ${broker.password} }`,
      ].join('\n'),
    );
    centre = await Centre.connect(broker, { tls: false, clientId: 'centre-identity', subscribe: [`${ROOT}/alerts`, `${ROOT}/alerts/+/state`] });
    logs = captureLogs();
    rootLogger.level = 'trace';
    controller = new Controller({ config: loadConfig(configPath), configPath });
    await controller.start();
    controller.actions.onPlayback((event) => {
      if (event.kind === 'start') playbacks.push(event);
    });
    controller.onAlertEvent((event) => alertEvents.push({ ...event, at: Date.now() }));
    const worker = controller.cameras()[0];
    assert.ok(worker);
    await waitFor('the camera to stream', () => worker.status().state === 'streaming');
    // The server plays the clip once per session: its end is the end of the scene, and no second session may start.
    await waitFor('the clip to end', () => worker.status().state !== 'streaming');
    await server.stop();
    await controller.alerts.idle();
    // Every warning has played out its repeats once nothing has started for a while after the scene.
    // How many fence alerts the pan gives depends on the tracks the live timing leaves (1 to 3 were seen on a busy machine).
    await waitFor('the warnings to be spoken', () => playbacks.length >= 1 && Date.now() - (playbacks.at(-1)?.startedAt ?? 0) > 6000);
    await waitFor('the alerts at the centre', () => centre.firstDeliveries().length >= new Set(alertEvents.map((e) => e.alert.id)).size);
    stored = centre.firstDeliveries().map((a) => controller.alerts.get(a.id)?.identity);
    await controller.stop();
    stopped = true;
    rootLogger.level = 'warn';
    records = logs.records();
    logs.restore();
  });

  after(async () => {
    logs.restore();
    rootLogger.level = 'warn';
    if (!stopped) await controller.stop();
    await centre.close();
    await server.stop();
    await broker.dispose();
    await dir.remove();
  });

  it('speaks the fallback while a child is not known and their name and class once they are', () => {
    const finalIdentity = new Map<string, string | undefined>();
    for (const event of alertEvents) finalIdentity.set(event.alert.id, event.alert.identity?.personId);
    const spoken = playbacks.filter((p) => finalIdentity.has(p.request.alertId));
    assert.ok(spoken.length >= 1, `warnings played: ${JSON.stringify(playbacks.map((p) => p.request.text))}`);
    const named = spoken.filter((p) => p.request.text !== FALLBACK);
    // Which tracks the gallery identifies, and when, varies with the live timing: every alert of a student identified
    // before its last warning was requested has a named warning.
    const nameable = new Set(
      alertEvents
        .filter((e) => e.alert.identity !== null && ENROLLED.get(e.alert.identity.personId)?.names?.class !== undefined)
        .filter((e) => spoken.some((p) => p.request.alertId === e.alert.id && p.requestedAt > e.at))
        .map((e) => e.alert.id),
    );
    for (const id of nameable) assert.ok(named.some((p) => p.request.alertId === id), `alert ${id} of an identified student was named: ${JSON.stringify(spoken.map((p) => p.request.text))}`);
    for (const p of named) {
      const names = ENROLLED.get(finalIdentity.get(p.request.alertId) ?? '')?.names;
      assert.ok(names, `a named warning belongs to an identified alert: ${p.request.text}`);
      assert.equal(p.request.text, `${names.class ?? ''}${names.name}同学，请立即离开水边！`);
    }
    for (const p of spoken.filter((s) => s.request.text === FALLBACK)) {
      const identified = alertEvents.find((e) => e.alert.id === p.request.alertId && e.alert.identity !== null);
      // The sentence is chosen when the warning is spoken; the fixed fallback is rendered at start, so it is played at once.
      const before = identified === undefined || identified.at > p.requestedAt - 500;
      // A key person has no class: the template cannot be filled, the fallback is right.
      const unfillable = ENROLLED.get(identified?.alert.identity?.personId ?? '')?.names?.class === undefined;
      assert.ok(before || unfillable, `the fallback of ${p.request.alertId} was spoken after its identity arrived`);
    }
  });

  it('sends identities to the centre: names and classes for students (shared), person ids only for key persons', () => {
    const alerts = centre.json<AlertPayload>('/alerts');
    for (const alert of alerts) assert.deepEqual(schemaErrors('alert.v2', alert), []);
    const states = centre.json<{ event: string; identity: AlertPayload['identity'] }>('/state');
    for (const state of states) assert.deepEqual(schemaErrors('alert-state.v2', state), []);
    const identities = [...alerts.map((a) => a.identity), ...states.filter((s) => s.event === 'identified').map((s) => s.identity)].filter((i) => i !== null);
    assert.ok(identities.length >= 1, JSON.stringify(alerts));
    for (const identity of identities) {
      const names = ENROLLED.get(identity.personId)?.names;
      if (identity.list === 'students') assert.deepEqual([identity.name, identity.class], [names?.name, names?.class]);
      else assert.deepEqual([identity.name, identity.class], [undefined, undefined], `no name for ${identity.list}`);
    }
    const watched = alerts.filter((a) => a.rule === 'watch');
    assert.ok(watched.length >= 1 && watched.every((a) => a.identity?.personId === 'howard' && a.identity.name === undefined), JSON.stringify(watched));
  });

  it('keeps names and classes out of the store rows and the log', () => {
    assert.ok(stored.some((identity) => identity !== null && identity !== undefined), JSON.stringify(stored));
    for (const identity of stored) if (identity !== null && identity !== undefined) assert.deepEqual(Object.keys(identity).sort(), ['list', 'personId', 'score']);
    assert.ok(records.length > 10, 'the log was captured at trace level');
    const leaked = records.filter((record) => NAMES.some((name) => JSON.stringify(record).includes(name)));
    assert.deepEqual(leaked, []);
  });
});
