import '../helpers/quiet.js';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AudioCache } from '../../edge/actions/audio-cache.js';
import { ClipRenderer } from '../../edge/actions/clip-renderer.js';
import type { PlaybackEvent } from '../../edge/actions/player.js';
import type { CameraWorker } from '../../edge/camera-worker.js';
import { loadConfig } from '../../edge/config/load.js';
import { Controller } from '../../edge/controller.js';
import { isHuxiaoError } from '../../edge/errors.js';
import { ruleHit } from '../helpers/rule-hits.js';
import { startRtspServer, type RtspTestServer } from '../helpers/rtsp-server.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';
import { wavFacts } from '../helpers/wav.js';

const PASSWORD = 'gate-pass-2';
const WARNING = '请注意，大门有人。';
const WHOLE_PICTURE = '[[0, 0], [1, 0], [1, 1], [0, 1]]';

/**
 * The controller in this process on two real RTSP cameras (the gate one behind a password), the committed detector,
 * SQLite on disk, espeak-ng and aplay to ALSA's null device, reloading its config file step by step the way SIGHUP
 * and cmd/config.reload do. The steps build on each other.
 */
describe('controller reload', { timeout: 240_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let gateServer: RtspTestServer;
  let yardServer: RtspTestServer;
  let configPath: string;
  let controller: Controller;
  const playbacks: PlaybackEvent[] = [];

  /** The config file; each step rewrites it with what the step changes (the gate rule comes with its voice action). */
  function writeConfig(options: { password: string; gateRule?: { cooldownSeconds: number } }): void {
    const rules = options.gateRule === undefined
      ? 'rules: []\nactions: []'
      : `rules:
  - { id: gate-seen, type: intrusion, camera: gate, zone: all, cooldownSeconds: ${String(options.gateRule.cooldownSeconds)}, actions: [gate-voice] }
actions:
  - { id: gate-voice, type: voice, template: ${WARNING}, maxRepeats: 1 }`;
    writeFileSync(
      configPath,
      `gateway: { id: gw-reload, timezone: UTC }
storage: { dir: ${join(dir.path, 'store')} }
audio: { device: "null", cache: { dir: ${join(dir.path, 'audio')} }, chime: { enabled: false } }
# The page is not what this test is about, and the default port 8080 may be taken by another run on the machine.
web: { enabled: false }
cameras:
  - id: gate
    url: ${gateServer.url()}
    username: admin
    password: ${options.password}
    detect: { width: 768, height: 576, fps: 5 }
    reconnect: { initialDelayMs: 300, maxDelayMs: 1000 }
    zones: [{ id: all, polygon: ${WHOLE_PICTURE} }]
  - id: yard
    url: ${yardServer.url()}
    detect: { width: 320, height: 240, fps: 5 }
    zones: [{ id: all, polygon: ${WHOLE_PICTURE} }]
${rules}
`,
    );
  }

  const worker = (id: string): CameraWorker => {
    const found = controller.cameras().find((candidate) => candidate.id === id);
    assert.ok(found, `camera ${id} runs`);
    return found;
  };

  before(async () => {
    dir = await tempDir('controller');
    gateServer = await startRtspServer({ path: '/gate', user: 'admin', password: PASSWORD });
    yardServer = await startRtspServer({ path: '/yard' });
    configPath = join(dir.path, 'config.yaml');
    writeConfig({ password: 'wrong-pass' });
    controller = new Controller({ config: loadConfig(configPath), configPath });
    assert.deepEqual(await controller.start(), { state: 'running' });
    controller.actions.onPlayback((event) => playbacks.push(event));
  });

  after(async () => {
    await controller.stop();
    await Promise.all([gateServer.stop(), yardServer.stop()]);
    await dir.remove();
  });

  it('restarts only the camera whose password changed, and the new password is the one used', async () => {
    await waitFor('the gate camera to be refused', () => worker('gate').status().state === 'unauthorized');
    await waitFor('the yard camera to stream', () => worker('yard').status().frames > 0);
    const [gate, yard] = [worker('gate'), worker('yard')];
    const yardFrames = yard.status().frames;

    writeConfig({ password: PASSWORD });
    const report = await controller.reload();
    assert.deepEqual(report, { applied: ['cameras'], restartRequired: [], cameras: { added: [], removed: [], changed: ['gate'], rulesChanged: [] } });
    assert.notEqual(worker('gate'), gate, 'the gate camera was restarted');
    assert.equal(worker('yard'), yard, 'the yard camera was not touched');
    await waitFor('the gate camera to stream with the new password', () => worker('gate').status().state === 'streaming');
    await waitFor('the yard camera to go on streaming', () => yard.status().frames > yardFrames);
  });

  it('gives a rule added by a reload its voice action, rendered at reload, on the running camera', async () => {
    const [gate, yard] = [worker('gate'), worker('yard')];
    writeConfig({ password: PASSWORD, gateRule: { cooldownSeconds: 30 } });
    const report = await controller.reload();
    assert.deepEqual(report, { applied: ['rules', 'actions'], restartRequired: [], cameras: { added: [], removed: [], changed: [], rulesChanged: ['gate'] } });
    assert.equal(worker('gate'), gate, 'new rules do not restart the camera');
    assert.equal(worker('yard'), yard);

    const audio = controller.config.audio;
    const rendered = await new ClipRenderer(new AudioCache(audio.cache), audio).cachedSpeech(WARNING);
    assert.ok(rendered !== undefined, 'the new sentence was rendered during the reload');
    assert.ok(wavFacts(rendered).seconds > 1, 'and holds speech');

    await waitFor('the new rule to speak its warning', () => playbacks.some((event) => event.kind === 'start'), 120_000);
    const spoken = playbacks.find((event) => event.kind === 'start');
    assert.equal(spoken?.request.text, WARNING);
    const alert = controller.alerts.get(spoken.request.alertId);
    assert.deepEqual({ rule: alert?.rule, camera: alert?.camera, zone: alert?.zone }, { rule: 'gate-seen', camera: 'gate', zone: 'all' });
  });

  it('applies a changed cooldown to the alerts raised from then on', async () => {
    // A track id the camera will not reach, so only these hits meet.
    const hit = (second: number) => ruleHit({ rule: 'gate-seen', camera: 'gate', zone: 'all', trackId: 99_999, decidedAt: Date.now() + second * 1000 });
    const first = controller.alerts.raise(hit(0));
    assert.equal(controller.alerts.raise(hit(1)).id, first.id, 'within the 30 s cooldown the hit joins the open alert');

    writeConfig({ password: PASSWORD, gateRule: { cooldownSeconds: 0 } });
    assert.deepEqual((await controller.reload()).applied, ['rules']);
    const third = controller.alerts.raise(hit(2));
    assert.notEqual(third.id, first.id, 'without a cooldown every hit is an alert of its own');
    assert.notEqual(controller.alerts.raise(hit(3)).id, third.id);
  });

  it('keeps the running config when the file does not validate, and says why', async () => {
    const [gate, yard] = [worker('gate'), worker('yard')];
    const running = controller.config;
    writeFileSync(configPath, `gateway: { id: gw-reload }\ncameras: [{ id: gate, url: "http://10.0.0.9/stream" }]\n`);
    await assert.rejects(controller.reload(), (error: unknown) => {
      assert.ok(isHuxiaoError(error));
      assert.equal(error.code, 'CONFIG_INVALID');
      assert.ok(error.message.startsWith(`${configPath}: `), error.message);
      assert.ok(error.message.includes('cameras[0].url: expected an rtsp:// or rtsps:// URL with a host, got "http://10.0.0.9/stream"'), error.message);
      return true;
    });
    assert.equal(controller.config, running);
    assert.equal(worker('gate'), gate);
    assert.equal(worker('yard'), yard);
    assert.equal(gate.status().state, 'streaming');
  });
});
