import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { writePasswordFile } from '../../../edge/web/password.js';
import { GATEWAY_PHASES, processesMentioning, spawnGateway, type GatewayProcess, type LogLine } from '../../helpers/gateway-process.js';
import { startMosquitto, type TestBroker } from '../../helpers/mosquitto.js';
import { freePort } from '../../helpers/ports.js';
import { parseExposition, sampleValue } from '../../helpers/prometheus.js';
import { startRtspServer, type RtspTestServer } from '../../helpers/rtsp-server.js';
import { soundSink } from '../../helpers/sound-sink.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor, waitForAsync } from '../../helpers/wait.js';
import { Centre } from '../uplink/centre.js';

const PASSWORD = 'reload stop pass';
const WARNING = '请注意，院子里有人。';
const UNIT = fileURLToPath(new URL('../../../../systemd/huxiao-edge.service', import.meta.url));

/** The stop timeout systemd gives the service before SIGKILL, read from the unit file the gateway ships with. */
function timeoutStopSeconds(): number {
  const match = /^TimeoutStopSec=(\d+)$/m.exec(readFileSync(UNIT, 'utf8'));
  assert.ok(match?.[1] !== undefined, `${UNIT} sets TimeoutStopSec`);
  return Number(match[1]);
}

interface AlertPayload {
  readonly id: string;
  readonly rule: string;
  readonly camera: string;
}

/**
 * `huxiao run` as systemd runs it, on two real RTSP cameras, mosquitto, the local page, espeak-ng and aplay into the
 * sound sink: a SIGHUP with a changed file, a save from the page's zone editor over plain HTTP (session and CSRF
 * token), a file that does not validate, and SIGTERM while a warning plays. The steps build on each other.
 * (cli/run.test.ts covers start-up failures, SIGTERM during start-up and the reload command; controller.test.ts the
 * reload cases in-process; web/page.test.ts the editor in the browser.)
 */
describe('huxiao run: reload and stop, end to end', { timeout: 300_000 }, () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  let dir: string;
  let gate: RtspTestServer;
  let yard: RtspTestServer;
  let broker: TestBroker;
  let centre: Centre;
  let gateway: GatewayProcess;
  let configPath: string;
  let base: string;
  let port: number;
  let sinkDevice: string;

  const lines = (msg: string): LogLine[] => gateway.logs().filter((line) => line.msg === msg);
  /** How often each camera's worker started ('camera starting' is logged once per worker, not per ffmpeg reconnect). */
  const starts = (camera: string): number => lines('camera starting').filter((line) => line.camera === camera).length;
  const alerts = (rule: string): AlertPayload[] => centre.json<AlertPayload>('/alerts').filter((alert) => alert.rule === rule);

  function writeConfig(extra: { gateFps: number; rules: string }): void {
    writeFileSync(
      configPath,
      `# Two cameras, for the reload and stop test.
gateway: { id: gw-life, timezone: UTC }
storage: { dir: ${join(dir, 'store')} }
audio: { device: ${JSON.stringify(sinkDevice)}, chime: { enabled: false }, cache: { dir: ${join(dir, 'audio')} } }
web: { host: 127.0.0.1, port: ${String(port)}, passwordFile: ${join(dir, 'web-password')} }
mqtt: { url: "${broker.url}", username: ${broker.username}, password: ${broker.password} }
cameras:
  - id: gate
    url: ${gate.url()}
    detect: { width: 320, height: 240, fps: ${String(extra.gateFps)} }
    zones: [{ id: all, polygon: [[0, 0], [1, 0], [1, 1], [0, 1]] }]
  - id: yard
    url: ${yard.url()}
    detect: { width: 320, height: 240, fps: 5 }
    zones: [{ id: all, polygon: [[0, 0], [1, 0], [1, 1], [0, 1]] }]
${extra.rules}
`,
    );
  }

  async function metric(name: string, labels: Record<string, string>): Promise<number> {
    const samples = parseExposition(await (await fetch(`${base}/metrics`)).text());
    return sampleValue(samples, name, labels) ?? Number.NaN;
  }

  before(async () => {
    const tmp = await tempDir('run-life');
    cleanup.push(() => tmp.remove());
    dir = tmp.path;
    gate = await startRtspServer({ path: '/gate' });
    cleanup.push(() => gate.stop());
    yard = await startRtspServer({ path: '/yard' });
    cleanup.push(() => yard.stop());
    broker = await startMosquitto();
    cleanup.push(() => broker.dispose());
    centre = await Centre.connect(broker, { tls: false, clientId: 'centre-life', subscribe: ['huxiao/gw-life/alerts'] });
    cleanup.push(() => centre.close());
    port = await freePort();
    base = `http://127.0.0.1:${String(port)}`;
    sinkDevice = soundSink(dir, 'speaker').device;
    await writePasswordFile(join(dir, 'web-password'), PASSWORD);
    configPath = join(dir, 'config.yaml');
    writeConfig({ gateFps: 5, rules: 'rules: []\nactions: []' });
    gateway = spawnGateway(configPath);
    cleanup.push(async () => {
      // A gateway a failed assertion left running is killed, so the test ends and nothing outlives it.
      if (gateway.child.exitCode === null && gateway.child.signalCode === null) {
        gateway.child.kill('SIGKILL');
        await gateway.exited;
      }
    });
    await waitFor('the gateway to run', () => lines('gateway started').length > 0 && lines('connected to broker').length > 0, 120_000);
    assert.deepEqual(lines('phase started').map((line) => line.phase), GATEWAY_PHASES);
  });

  after(async () => {
    for (const undo of cleanup.reverse()) await undo();
  });

  it('applies a changed file on SIGHUP: only the changed camera restarts, and a new rule raises alerts and speaks', async () => {
    await waitForAsync('the yard camera to stream', async () => (await metric('huxiao_camera_frames_processed_total', { camera: 'yard' })) > 0, 60_000);
    writeConfig({
      gateFps: 4,
      rules: `rules:
  - { id: yard-seen, type: intrusion, camera: yard, zone: all, actions: [yard-voice] }
actions:
  - { id: yard-voice, type: voice, template: ${WARNING}, repeatSeconds: 1, maxRepeats: 100 }`,
    });
    gateway.child.kill('SIGHUP');
    await waitFor('the reload in the log', () => lines('config reloaded').length > 0);
    const [reloaded] = lines('config reloaded');
    assert.deepEqual(
      { applied: reloaded?.applied, restartRequired: reloaded?.restartRequired, cameras: reloaded?.cameras },
      { applied: ['cameras', 'rules', 'actions'], restartRequired: [], cameras: { added: [], removed: [], changed: ['gate'], rulesChanged: ['yard'] } },
    );
    assert.equal(starts('gate'), 2, 'the camera whose detect fps changed restarted');
    assert.equal(starts('yard'), 1, 'the camera that only got a rule kept its stream');

    await waitFor('an alert of the new rule at the centre', () => alerts('yard-seen').length > 0, 120_000);
    assert.deepEqual(alerts('yard-seen').map((alert) => alert.camera).slice(0, 1), ['yard']);
    await waitFor('its warning to play', () => lines('warning playing').some((line) => line.text === WARNING), 60_000);
  });

  it('applies a zone saved from the page, and refuses an invalid one with the problem while the old config runs on', async () => {
    const login = await fetch(`${base}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ user: '王师傅', password: PASSWORD }).toString() });
    assert.equal(login.status, 303);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    assert.match(cookie, /^huxiao_session=.{20,}/);
    const editor = await (await fetch(`${base}/cameras/gate/zones`, { headers: { cookie } })).text();
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(editor)?.[1] ?? '';
    const data = JSON.parse(/<script type="application\/json" id="editor-data">(.*?)<\/script>/s.exec(editor)?.[1] ?? '{}') as { version: string; zones: { id: string; polygon: number[][] }[] };
    assert.deepEqual(data.zones.map((zone) => zone.id), ['all']);
    const save = (body: unknown): Promise<Response> =>
      fetch(`${base}/api/cameras/gate/zones`, { method: 'PUT', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const zones = (extra: { id: string; polygon: number[][] }) => [...data.zones.map(({ id, polygon }) => ({ id, polygon })), extra];

    const fileBefore = readFileSync(configPath, 'utf8');
    const refused = await save({ version: data.version, zones: zones({ id: 'gateway-path', polygon: [[0.1, 0.1], [0.3, 0.1]] }), lines: [], rules: [] });
    assert.equal(refused.status, 400);
    const { problems } = (await refused.json()) as { problems: { path: string; message: string }[] };
    assert.deepEqual(problems.map((problem) => problem.path), ['cameras[0].zones[1].polygon'], JSON.stringify(problems));
    assert.match(problems[0]?.message ?? '', /3/, 'the message says how many corners a zone needs');
    assert.equal(readFileSync(configPath, 'utf8'), fileBefore, 'the file is left as it was');
    assert.equal(lines('config reloaded').length, 1, 'nothing was reloaded');

    const saved = await save({ version: data.version, zones: zones({ id: 'gateway-path', polygon: [[0, 0], [1, 0], [1, 1], [0, 1]] }), lines: [], rules: [{ id: 'path-intrusion', type: 'intrusion', zone: 'gateway-path' }] });
    assert.equal(saved.status, 200, await saved.clone().text());
    const outcome = (await saved.json()) as { applied: string[]; cameras: { changed: string[]; rulesChanged: string[] } };
    assert.deepEqual({ applied: outcome.applied, changed: outcome.cameras.changed, rulesChanged: outcome.cameras.rulesChanged }, { applied: ['cameras', 'rules'], changed: ['gate'], rulesChanged: [] });
    assert.match(readFileSync(configPath, 'utf8'), /^# Two cameras, for the reload and stop test\.$/m, 'the file keeps its comments');
    assert.equal(starts('gate'), 3);
    assert.equal(starts('yard'), 1, 'the other camera is not touched');
    await waitFor('an alert of the rule saved from the page', () => alerts('path-intrusion').some((alert) => alert.camera === 'gate'), 120_000);
  });

  it('keeps the running config on SIGHUP with a file that does not validate, naming the key and its line', async () => {
    const text = readFileSync(configPath, 'utf8');
    // Only the gate camera runs at 4 fps (the editor's save rewrote the file, so its exact spacing is the editor's).
    const broken = text.replace('fps: 4', 'fps: 99');
    assert.notEqual(broken, text);
    const line = broken.split('\n').findIndex((candidate) => candidate.includes('fps: 99')) + 1;
    writeFileSync(configPath, broken);
    const framesBefore = await metric('huxiao_camera_frames_processed_total', { camera: 'yard' });
    gateway.child.kill('SIGHUP');
    await waitFor('the refusal in the log', () => lines('config reload refused; the running config is kept').length > 0);
    const err = lines('config reload refused; the running config is kept')[0]?.err as { code?: string; message?: string } | undefined;
    assert.equal(err?.code, 'CONFIG_INVALID');
    assert.match(err.message ?? '', new RegExp(`^${configPath}: one problem\\n  cameras\\[0\\]\\.detect\\.fps: .+ \\(line ${String(line)}\\)$`), err.message);
    assert.deepEqual([starts('gate'), starts('yard')], [3, 1], 'no camera restarted');
    await waitForAsync('the cameras to go on', async () => (await metric('huxiao_camera_frames_processed_total', { camera: 'yard' })) > framesBefore);
    writeFileSync(configPath, text);
  });

  it('stops on SIGTERM in reverse phases within TimeoutStopSec while a warning plays, leaving no child process', async (t) => {
    const limit = timeoutStopSeconds();
    await waitFor('aplay to play a warning', () => processesMentioning(dir).some((process) => process.includes('aplay')), 120_000);
    const signalled = performance.now();
    gateway.child.kill('SIGTERM');
    assert.equal(await gateway.exited, 0, gateway.text().join('\n'));
    const seconds = (performance.now() - signalled) / 1000;
    assert.ok(seconds < limit, `stopped in ${seconds.toFixed(1)} s, within TimeoutStopSec=${String(limit)}`);
    t.diagnostic(`stopped in ${seconds.toFixed(2)} s (TimeoutStopSec=${String(limit)})`);
    assert.deepEqual(lines('gateway stopped').map((line) => ({ stopped: line.stopped, failed: line.failed })), [{ stopped: [...GATEWAY_PHASES].reverse(), failed: [] }]);
    assert.deepEqual(gateway.text(), []);
    assert.deepEqual(processesMentioning(dir), [], 'no aplay, sound sink or gateway process is left');
    assert.deepEqual([...processesMentioning(gate.url()), ...processesMentioning(yard.url())], [], 'no ffmpeg is left');
  });
});
