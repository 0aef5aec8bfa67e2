import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_MODELS_DIR, readManifest, selectModel } from '../../../edge/vision/manifest.js';
import { GATEWAY_PHASES, processesMentioning, spawnGateway, type GatewayProcess, type LogLine } from '../../helpers/gateway-process.js';
import { startMosquitto, type TestBroker } from '../../helpers/mosquitto.js';
import { schemaErrors } from '../../helpers/payload-schemas.js';
import { freePort } from '../../helpers/ports.js';
import { startRtspServer, type RtspTestServer } from '../../helpers/rtsp-server.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait.js';
import { Centre } from '../uplink/centre.js';


/**
 * `huxiao run` as its own process: start-up as phases undone in reverse when one fails or SIGTERM comes, and SIGHUP
 * reloading the config. Each gateway gets its own temp dir, which every path it uses (and so every child process's
 * command line) contains; the camera is a real RTSP server, so a leaked ffmpeg would keep streaming and show.
 */
describe('huxiao run', { timeout: 180_000 }, () => {
  let camera: RtspTestServer;

  before(async () => {
    camera = await startRtspServer({ path: `/run-${randomUUID()}` });
  });

  after(async () => {
    await camera.stop();
  });

  /** A config in `dir`: storage and audio inside it, the camera, and what the test adds (YAML lines). */
  function writeConfig(dir: string, extra: string): string {
    const path = join(dir, 'config.yaml');
    writeFileSync(
      path,
      `gateway: { id: gw-run, timezone: UTC }
storage: { dir: ${join(dir, 'store')} }
audio: { device: "null", cache: { dir: ${join(dir, 'audio')} } }
# The page is not what this test is about, and the default port 8080 may be taken by another run on the machine.
web: { enabled: false }
cameras:
  - id: gate
    url: ${camera.url()}
    detect: { width: 320, height: 240, fps: 5 }
    zones: [{ id: all, polygon: [[0, 0], [1, 0], [1, 1], [0, 1]] }]
${extra}`,
    );
    return path;
  }

  /** A gateway a failed assertion left running is killed, so the test ends and nothing outlives it. */
  async function kill(gateway: GatewayProcess | undefined): Promise<void> {
    if (gateway === undefined || gateway.child.exitCode !== null || gateway.child.signalCode !== null) return;
    gateway.child.kill('SIGKILL');
    await gateway.exited;
  }

  const lines = (gateway: GatewayProcess, msg: string): LogLine[] => gateway.logs().filter((line) => line.msg === msg);
  const stopped = (gateway: GatewayProcess): unknown => lines(gateway, 'gateway stopped').map((line) => ({ stopped: line.stopped, failed: line.failed }));

  /** Nothing of the gateway is left: no process mentions its dir (config, store, audio, models) or the camera. */
  function assertNothingLeft(dir: string): void {
    assert.deepEqual(processesMentioning(dir), []);
    assert.deepEqual(processesMentioning(camera.url()), []);
  }

  for (const { what, extra, code, message } of [
    {
      what: 'an unreadable TLS file: MQTT_TLS, exit 1',
      extra: (dir: string, port: number) => `mqtt: { url: "mqtts://127.0.0.1:${String(port)}", tls: { ca: ${join(dir, 'missing-ca.pem')} } }\n`,
      code: 1,
      message: (dir: string) => `huxiao: MQTT_TLS: mqtt.tls.ca: cannot read ${join(dir, 'missing-ca.pem')}: ENOENT`,
    },
    {
      what: 'a command signing key that is not a key: CONFIG_INVALID, exit 2',
      extra: (dir: string, port: number) => {
        writeFileSync(join(dir, 'centre.pem'), 'not a key\n');
        return `mqtt: { url: "mqtt://127.0.0.1:${String(port)}", commands: { signing: { required: true, publicKey: ${join(dir, 'centre.pem')} } } }\n`;
      },
      code: 2,
      message: (dir: string) => `huxiao: CONFIG_INVALID: mqtt.commands.signing.publicKey: ${join(dir, 'centre.pem')} is not a PEM public key`,
    },
  ]) {
    it(`stops what started and exits on ${what}, leaving no child process`, async () => {
      const dir = await tempDir('run-fatal');
      let gateway: GatewayProcess | undefined;
      try {
        gateway = spawnGateway(writeConfig(dir.path, extra(dir.path, await freePort())));
        assert.equal(await gateway.exited, code, gateway.text().join('\n'));
        assert.deepEqual(gateway.text(), [message(dir.path)]);
        assert.deepEqual(lines(gateway, 'start-up failed; stopping the phases already started').map((line) => line.phase), ['uplink']);
        assert.deepEqual(stopped(gateway), [{ stopped: ['uplink', 'storage'], failed: [] }]);
        assert.deepEqual(lines(gateway, 'starting phase').map((line) => line.phase), ['storage', 'uplink']);
        assertNothingLeft(dir.path);
      } finally {
        await kill(gateway);
        await dir.remove();
      }
    });
  }

  it('on SIGTERM while the models load, stops the phases already started and exits 0', async () => {
    const dir = await tempDir('run-sigterm');
    let writer: FileHandle | undefined;
    let gateway: GatewayProcess | undefined;
    try {
      // The detector's file is a named pipe: loading blocks inside the vision phase until the test feeds it the model.
      const manifestPath = join(DEFAULT_MODELS_DIR, 'manifest.json');
      const manifest = await readManifest(manifestPath);
      const detector = selectModel(manifest, 'detector', undefined);
      const models = join(dir.path, 'models');
      mkdirSync(models);
      symlinkSync(manifestPath, join(models, 'manifest.json'));
      for (const entry of manifest.models) if (entry.file !== detector.file) symlinkSync(join(DEFAULT_MODELS_DIR, entry.file), join(models, entry.file));
      const pipe = join(models, detector.file);
      assert.equal(spawnSync('mkfifo', [pipe]).status, 0);
      const port = await freePort();
      // The broker is down: the uplink degrades (the outbox keeps alerts) instead of failing start-up.
      // An explicit precision: auto would time both detector builds at this first start, a second model to load.
      gateway = spawnGateway(writeConfig(dir.path, `vision: { modelsDir: ${models}, precision: { detector: int8 } }\nmqtt: { url: "mqtt://127.0.0.1:${String(port)}" }\n`));

      const running = gateway;
      writer = await openWhileAlive(pipe, running);
      const model = readFileSync(join(DEFAULT_MODELS_DIR, detector.file));
      await writer.write(model.subarray(0, 64 * 1024));
      gateway.child.kill('SIGTERM');
      await waitFor('the gateway to take the signal', () => lines(running, 'stop signal received').length > 0);
      await writer.write(model.subarray(64 * 1024));
      await writer.close();
      writer = undefined;

      assert.equal(await gateway.exited, 0, gateway.text().join('\n'));
      assert.deepEqual(gateway.text(), []);
      assert.deepEqual(lines(gateway, 'start-up interrupted; stopping the phases already started').map((line) => line.phase), ['vision']);
      assert.deepEqual(stopped(gateway), [{ stopped: ['vision', 'actions', 'alerts', 'gallery', 'uplink', 'storage'], failed: [] }]);
      assert.deepEqual(lines(gateway, 'starting phase').map((line) => line.phase), ['storage', 'uplink', 'gallery', 'alerts', 'actions', 'vision']);
      // The model being read when the signal came finishes loading; no other starts after it.
      const signalled = gateway.logs().findIndex((line) => line.msg === 'stop signal received');
      assert.deepEqual(gateway.logs().slice(signalled).filter((line) => line.msg === 'model loaded').map((line) => line.model), [detector.name]);
      assert.equal(lines(gateway, 'gateway started').length, 0);
      assertNothingLeft(dir.path);
    } finally {
      await writer?.close();
      await kill(gateway);
      await dir.remove();
    }
  });

  describe('with a broker', () => {
    let broker: TestBroker;
    let centre: Centre;

    before(async () => {
      broker = await startMosquitto();
      centre = await Centre.connect(broker, { tls: false, clientId: 'centre-run', subscribe: ['centre/replies/#'] });
    });

    after(async () => {
      await centre.close();
      await broker.dispose();
    });

    async function reloadCommand(): Promise<{ ok: boolean; result?: unknown; error?: { code: string; message: string } }> {
      const correlation = Buffer.from(randomUUID());
      const body = { ts: Date.now(), nonce: randomUUID(), args: {} };
      await centre.client.publishAsync('huxiao/gw-run/cmd/config.reload', JSON.stringify(body), { qos: 1, properties: { responseTopic: 'centre/replies/run', correlationData: correlation } });
      let reply: Buffer | undefined;
      await waitFor('the reply to config.reload', () => {
        reply = centre.received.find((m) => Buffer.isBuffer(m.properties.correlationData) && m.properties.correlationData.equals(correlation))?.payload;
        return reply !== undefined;
      });
      const parsed = JSON.parse(reply?.toString() ?? '{}') as { ok: boolean; result?: unknown; error?: { code: string; message: string } };
      assert.deepEqual(schemaErrors('command-reply.v1', parsed), []);
      return parsed;
    }

    it('reloads on SIGHUP and on cmd/config.reload; a file that does not validate is refused with the reason, and the gateway runs on', async () => {
      const dir = await tempDir('run-reload');
      let gateway: GatewayProcess | undefined;
      try {
        const mqtt = `mqtt: { url: "${broker.url}", username: ${broker.username}, password: ${broker.password} }\n`;
        const path = writeConfig(dir.path, mqtt);
        gateway = spawnGateway(path);
        const running = gateway;
        await waitFor('the gateway to run', () => lines(running, 'gateway started').length > 0 && lines(running, 'connected to broker').length > 0);
        assert.deepEqual(lines(gateway, 'phase started').map((line) => line.phase), GATEWAY_PHASES);

        writeFileSync(path, readFileSync(path, 'utf8').replace('fps: 5', 'fps: 99'));
        gateway.child.kill('SIGHUP');
        await waitFor('the refusal in the log', () => lines(running, 'config reload refused; the running config is kept').length > 0);
        const [refused] = lines(gateway, 'config reload refused; the running config is kept');
        const err = refused?.err as { code?: string; message?: string } | undefined;
        assert.equal(err?.code, 'CONFIG_INVALID');
        assert.ok(err.message?.startsWith(`${path}: one problem\n  cameras[0].detect.fps: `), err.message);

        const reply = await reloadCommand();
        assert.equal(reply.ok, false);
        assert.equal(reply.error?.code, 'CONFIG_INVALID');
        assert.equal(reply.error.message, err.message, 'the reply says what the log says');

        writeConfig(dir.path, `${mqtt}rules: [{ id: gate-seen, type: intrusion, camera: gate, zone: all }]\n`);
        gateway.child.kill('SIGHUP');
        await waitFor('the reload in the log', () => lines(running, 'config reloaded').length > 0);
        const [reloaded] = lines(gateway, 'config reloaded');
        assert.deepEqual({ applied: reloaded?.applied, restartRequired: reloaded?.restartRequired, cameras: reloaded?.cameras }, { applied: ['rules'], restartRequired: [], cameras: { added: [], removed: [], changed: [], rulesChanged: ['gate'] } });
        const unchanged = await reloadCommand();
        assert.equal(unchanged.ok, true);
        assert.deepEqual(unchanged.result, { applied: [], restartRequired: [], cameras: { added: [], removed: [], changed: [], rulesChanged: [] } });

        gateway.child.kill('SIGTERM');
        assert.equal(await gateway.exited, 0, gateway.text().join('\n'));
        assert.deepEqual(stopped(gateway), [{ stopped: [...GATEWAY_PHASES].reverse(), failed: [] }]);
        assertNothingLeft(dir.path);
      } finally {
        await kill(gateway);
        await dir.remove();
      }
    });
  });
});

/**
 * Opens the named pipe for writing, which completes once the gateway opens it for reading. If the gateway exits
 * first, the pipe is opened for reading here so the pending open can complete and the test can fail instead of hanging.
 */
async function openWhileAlive(pipe: string, gateway: GatewayProcess): Promise<FileHandle> {
  const state = { opened: false };
  const opening = open(pipe, 'w').then((handle) => {
    state.opened = true;
    return handle;
  });
  const exited = gateway.exited.then(async (code): Promise<never> => {
    if (!state.opened) {
      const reader = await open(pipe, constants.O_RDONLY | constants.O_NONBLOCK);
      await (await opening).close();
      await reader.close();
    }
    throw new Error(`the gateway exited (${String(code)}) before loading the models:\n${gateway.text().join('\n')}`);
  });
  // Once the pipe is open the race is decided; the gateway's later exit must not count as a failure.
  exited.catch(() => undefined);
  return Promise.race([opening, exited]);
}
