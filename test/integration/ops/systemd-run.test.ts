import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { HealthReport } from '../../../edge/ops/health.js';
import { CLI } from '../../helpers/cli.js';
import { footageMp4 } from '../../helpers/footage.js';
import { NotifySocket, type NotifyMessage } from '../../helpers/notify-socket.js';
import { freePort } from '../../helpers/ports.js';
import { RtspTestServer } from '../../helpers/rtsp-server.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait.js';

/** WatchdogSec=2: the runtime evaluates its health and may ping every 0.5 s. */
const WATCHDOG_USEC = 2_000_000;
const TICK_MS = WATCHDOG_USEC / 1000 / 4;

/**
 * `huxiao run` as systemd runs it, against a real notify socket (a python AF_UNIX datagram listener standing in for
 * PID 1) with the real systemd-notify tool, a real RTSP camera, the committed detector and SQLite on disk.
 */
describe('huxiao run under a notify socket', { timeout: 240_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let notify: NotifySocket;
  let rtsp: RtspTestServer;
  let rtspPort: number;
  let footage: string;
  let webPort: number;
  let child: ChildProcess;
  let stderr = '';
  let exit: Promise<number | null>;

  const watchdogsAfter = (at: number): NotifyMessage[] => notify.with('WATCHDOG', '1').filter((message) => message.at > at);
  const statuses = (): string[] => notify.with('STATUS').map((message) => message.fields.STATUS ?? '');
  const healthz = async (path: string): Promise<{ code: number; report: HealthReport }> => {
    const response = await fetch(`http://127.0.0.1:${String(webPort)}${path}`);
    return { code: response.status, report: (await response.json()) as HealthReport };
  };
  const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  before(async () => {
    dir = await tempDir('systemd-run');
    notify = new NotifySocket(dir.path);
    await notify.start();
    footage = await footageMp4();
    rtspPort = await freePort();
    rtsp = new RtspTestServer({ file: footage, port: rtspPort });
    await rtsp.start();
    webPort = await freePort();
    const config = {
      gateway: { id: 'gw-systemd' },
      cameras: [{
        id: 'gate', url: rtsp.url(), detect: { width: 384, height: 288, fps: 5 },
        reconnect: { initialDelayMs: 200, maxDelayMs: 1000, stallTimeoutSeconds: 2 },
      }],
      storage: { dir: join(dir.path, 'store') },
      audio: { chime: { enabled: false }, cache: { dir: join(dir.path, 'audio') } },
      web: { host: '127.0.0.1', port: webPort },
    };
    const configPath = join(dir.path, 'config.yaml');
    writeFileSync(configPath, JSON.stringify(config));
    child = spawn(process.execPath, [CLI, 'run', '--config', configPath], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, HUXIAO_LOG_LEVEL: 'warn', NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: String(WATCHDOG_USEC) },
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    exit = new Promise((resolve) => child.once('exit', resolve));
  });

  after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rtsp.stop();
    await notify.stop();
    await dir.remove();
  });

  it('sends READY=1 with its own PID once started, with the web server already listening', async () => {
    await waitFor('READY=1', () => notify.with('READY', '1').length > 0);
    const [ready] = notify.with('READY', '1');
    assert.equal(ready?.fields.MAINPID, String(child.pid));
    assert.ok(notify.messages.indexOf(ready) === 0, `READY=1 is the first message, got ${JSON.stringify(notify.messages[0])}`);
    const live = await healthz('/healthz/live');
    assert.equal(live.code, 200);
    assert.equal(live.report.live, true);
  });

  it('feeds the watchdog while frames flow', async () => {
    await waitFor('the camera streaming (/healthz ready)', () => statuses().at(-1) === 'ready: 1 camera streaming');
    const since = Date.now();
    await pause(TICK_MS * 6);
    const fed = watchdogsAfter(since).length;
    assert.ok(fed >= 3, `${String(fed)} WATCHDOG=1 in ${String(TICK_MS * 6)} ms`);
    const ready = await healthz('/healthz');
    assert.equal(ready.code, 200);
    assert.deepEqual(ready.report.checks.find((check) => check.camera === 'gate'), { name: 'camera', camera: 'gate', verdict: 'ok' });
  });

  it('stops feeding the watchdog while the store cannot be written, and resumes once it can', async () => {
    const holder = new Database(join(dir.path, 'store', 'huxiao.db'));
    holder.exec('BEGIN IMMEDIATE');
    let released = 0;
    try {
      await waitFor('STATUS naming the store', () => statuses().some((status) => status.startsWith('wedged: store not writable')));
      const wedgedAt = notify.with('STATUS').find((message) => message.fields.STATUS?.startsWith('wedged: store') === true)?.at ?? 0;
      await pause(TICK_MS * 5);
      assert.deepEqual(watchdogsAfter(wedgedAt), [], 'no WATCHDOG=1 while the write lock is held elsewhere');
      const live = await healthz('/healthz/live');
      assert.equal(live.code, 503);
      assert.match(live.report.checks.find((check) => check.name === 'store')?.detail ?? '', /^not writable: database is locked/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
      released = Date.now();
    }
    await waitFor('WATCHDOG=1 again', () => watchdogsAfter(released).length > 0);
    assert.match(stderr, /pipeline wedged: the watchdog is no longer fed/);
  });

  it('keeps feeding the watchdog while a camera is down and reconnecting (a restart would not bring it back)', async () => {
    await rtsp.stop();
    await waitFor('STATUS naming the camera reconnecting', () => /^degraded: camera gate \S+: reconnecting$/.test(statuses().at(-1) ?? ''));
    const since = Date.now();
    await pause(TICK_MS * 6);
    assert.ok(watchdogsAfter(since).length >= 3, 'the watchdog is fed during the outage');
    const ready = await healthz('/healthz');
    assert.equal(ready.code, 503);
    assert.equal(ready.report.live, true);
    assert.equal(ready.report.checks.find((check) => check.camera === 'gate')?.verdict, 'degraded');

    rtsp = new RtspTestServer({ file: footage, port: rtspPort });
    await rtsp.start();
    await waitFor('the camera streaming again', () => statuses().at(-1) === 'ready: 1 camera streaming');
    assert.equal((await healthz('/healthz')).code, 200);
  });

  it('sends STOPPING=1 on SIGTERM, feeds the watchdog no more, and exits 0', async () => {
    child.kill('SIGTERM');
    const code = await exit;
    assert.equal(code, 0, stderr);
    const stopping = notify.with('STOPPING', '1');
    assert.equal(stopping.length, 1);
    const last = notify.messages.at(-1);
    assert.equal(last?.fields.STOPPING, '1', 'STOPPING=1 is the last message');
    assert.deepEqual(statuses().filter((status) => status.startsWith('wedged:') && !status.startsWith('wedged: store')), [], 'only the held lock ever wedged it');
  });
});
