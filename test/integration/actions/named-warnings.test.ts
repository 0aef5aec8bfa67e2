import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Actions } from '../../../edge/actions/actions.js';
import type { PlaybackEvent } from '../../../edge/actions/player.js';
import { alertToActions } from '../../../edge/alert-actions.js';
import type { Alert } from '../../../edge/store/alert.js';
import { parseConfig } from '../../../edge/config/load.js';
import type { PersonDirectory, PersonNames } from '../../../edge/identity/matcher.js';
import { rootLogger } from '../../../edge/log.js';
import { captureLogs } from '../../helpers/logs.js';
import { soundSink } from '../../helpers/sound-sink.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait.js';

const NAMED = '三年级二班张三同学，请立即离开水边！';
const FALLBACK = '同学，请立即离开水边！';

/**
 * The programmes' pond sentence from an alert's identity: alertToActions looks the name up in the gallery's directory
 * (only for rules whose voice says names), the warning service speaks it through real espeak-ng, sox and aplay into
 * a paced sound sink.
 */
describe('named warnings: the voice says the child\'s class and name, or the fallback', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let actions: Actions;
  const starts: Extract<PlaybackEvent, { kind: 'start' }>[] = [];
  const ends: Extract<PlaybackEvent, { kind: 'end' }>[] = [];
  const lookups: string[] = [];
  const directory: PersonDirectory = {
    names: (personId): PersonNames | undefined => {
      lookups.push(personId);
      return personId === 's-0042' ? { name: '张三', class: '三年级二班' } : undefined;
    },
    sharesNames: () => false,
  };
  let toActions: ReturnType<typeof alertToActions>;

  const alert = (id: string, rule: string, identity: Alert['identity']): Alert => ({
    id, seq: 1, gateway: 'gw', type: 'intrusion', severity: 'critical', camera: 'pond', zone: 'water', rule, trackId: 3, label: 'person', score: 0.9, box: null,
    details: {}, source: null, cameras: ['pond'], firstSeenAt: 0, lastSeenAt: 0, decidedAt: 0, raisedAt: 0, count: 1, state: 'raised', clearedAt: null, identity, snapshot: null,
  });
  const zhang = { personId: 's-0042', list: 'students', score: 93.4 };

  before(async () => {
    rootLogger.level = 'warn';
    dir = await tempDir('named-warnings');
    const sink = soundSink(dir.path, 'speaker');
    const config = parseConfig(
      `
gateway: { id: gw }
cameras:
  - { id: pond, url: rtsp://10.0.0.2/s, detect: { width: 640, height: 360 }, zones: [{ id: water, name: 水边, polygon: [[0, 0], [1, 0], [1, 1]] }] }
rules:
  - { id: fence, type: intrusion, camera: pond, zone: water, identify: true, actions: [pond-voice] }
  - { id: watch, type: watchlist, camera: pond, actions: [plain] }
actions:
  - { id: pond-voice, type: voice, template: "{class}{name}同学，请立即离开{zone}！", fallback: "同学，请立即离开{zone}！", repeatSeconds: 600, maxRepeats: 3 }
  - { id: plain, type: voice, template: "请注意", repeatSeconds: 600, maxRepeats: 1 }
audio: { device: '${sink.device}', chime: { enabled: false }, cache: { dir: "${join(dir.path, 'audio')}" } }
`,
      'named.yaml',
    );
    toActions = alertToActions(config, directory);
    actions = new Actions({ audio: config.audio, actions: config.actions, gpio: config.gpio });
    await actions.start();
    actions.onPlayback((event) => {
      if (event.kind === 'start') starts.push(event);
      if (event.kind === 'end') ends.push(event);
    });
  });

  after(async () => {
    await actions.stop();
    await dir.remove();
  });

  it('a known child hears "三年级二班张三同学，请立即离开水边！" at once; the text never reaches the log', async () => {
    const logs = captureLogs();
    rootLogger.level = 'info';
    try {
      actions.handle(toActions({ kind: 'raised', alert: alert('a1', 'fence', zhang) }));
      await waitFor('the warning', () => starts.some((s) => s.request.alertId === 'a1'));
    } finally {
      rootLogger.level = 'warn';
      logs.restore();
    }
    assert.equal(starts.find((s) => s.request.alertId === 'a1')?.request.text, NAMED);
    const playing = logs.records().find((r) => r.msg === 'warning playing' && r.alert === 'a1');
    assert.ok(playing, 'the playback is logged');
    assert.equal(playing.text, undefined, 'without the sentence that names the child');
    actions.handle(toActions({ kind: 'resolved', alert: alert('a1', 'fence', zhang) }));
  });

  it('an unknown child hears the fallback; when the identity arrives the named warning cuts in at once, not a repeat later', async () => {
    actions.handle(toActions({ kind: 'raised', alert: alert('a2', 'fence', null) }));
    await waitFor('the fallback', () => starts.some((s) => s.request.alertId === 'a2'));
    assert.equal(starts.find((s) => s.request.alertId === 'a2')?.request.text, FALLBACK);
    actions.handle(toActions({ kind: 'updated', alert: alert('a2', 'fence', zhang) }));
    await waitFor('the named warning', () => starts.filter((s) => s.request.alertId === 'a2').length >= 2, 30_000);
    const mine = (list: readonly { request: { alertId: string; text: string } }[]) => list.filter((e) => e.request.alertId === 'a2').map((e) => e.request.text);
    assert.deepEqual(mine(starts), [FALLBACK, NAMED], 'the name comes long before repeatSeconds (600 s)');
    assert.equal(ends.find((e) => e.request.alertId === 'a2')?.outcome, 'cancelled', 'the fallback was cut short for the name');
    actions.handle(toActions({ kind: 'resolved', alert: alert('a2', 'fence', zhang) }));
  });

  it('looks names up only for a rule whose voice says them, and not for a person the gallery no longer has', async () => {
    lookups.length = 0;
    actions.handle(toActions({ kind: 'raised', alert: alert('a3', 'watch', { personId: 'k-7', list: 'keypersons:theft', score: 96 }) }));
    await waitFor('the watch-list warning', () => starts.some((s) => s.request.alertId === 'a3'));
    assert.deepEqual(lookups, [], 'the watch-list voice says no name');
    actions.handle(toActions({ kind: 'resolved', alert: alert('a3', 'watch', null) }));
    actions.handle(toActions({ kind: 'raised', alert: alert('a4', 'fence', { personId: 's-gone', list: 'students', score: 91 }) }));
    await waitFor('the warning for a removed person', () => starts.some((s) => s.request.alertId === 'a4'));
    assert.equal(starts.find((s) => s.request.alertId === 'a4')?.request.text, FALLBACK);
    assert.deepEqual(lookups, ['s-gone']);
    actions.handle(toActions({ kind: 'resolved', alert: alert('a4', 'fence', null) }));
  });
});
