import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Centre } from '../../devkit/demo/centre.js';
import { LineSplitter } from '../../../edge/process/line-splitter.js';
import { topicRoot } from '../../../edge/uplink/topics.js';
import type { ObservedAlert, TelemetrySample } from './alert-timing.js';
import type { Variant } from './capacity-footage.js';
import { gatewayConfig, type CameraPlan, type QuietDecode } from './capacity-scene.js';
import { ProcSampler, type Tick } from './proc-sampler.js';
import { RtspPlayProbe, type ProbeTarget } from './rtsp-play-probe.js';

export interface TrialOptions {
  /** Checkout whose build runs: <tree>/dist/edge/cli/main.js. */
  readonly tree: string;
  /** Where this run's config, store, audio cache and gateway log go. */
  readonly dir: string;
  readonly gatewayId: string;
  readonly cameras: readonly CameraPlan[];
  /** The RTSP test server serving each variant (each session plays the clip once from its start). */
  readonly servers: ReadonlyMap<Variant, ProbeTarget>;
  readonly brokerUrl: string;
  readonly clipSeconds: number;
  /** How the quiet cameras decode (a build without `cameras[].input.decode` decodes every frame). */
  readonly quietDecode: QuietDecode;
}

export interface TrialObservation {
  /** Wall ms of each camera's first PLAY: its stream's first picture. */
  readonly streamStarts: ReadonlyMap<string, number>;
  /**
   * Wall ms of a camera's second PLAY, when the gateway reconnected after the clip ended before it was stopped: the
   * server plays the clip again, and alerts decided after this belong to that second pass.
   */
  readonly nextSessions: ReadonlyMap<string, number>;
  /** The steady part of the run figures are taken over: every camera streaming, before the first stream ends. */
  readonly window: { readonly from: number; readonly to: number };
  readonly ticks: readonly Tick[];
  readonly telemetry: ReadonlyMap<string, readonly TelemetrySample[]>;
  readonly alerts: readonly ObservedAlert[];
  /** Alert id -> wall ms its first warning started playing (the player's "warning playing" log line). */
  readonly warnings: ReadonlyMap<string, number>;
  /** Log lines at error level or above, and the first few of them. */
  readonly errors: number;
  readonly firstErrors: readonly string[];
  readonly logPath: string;
}

/** Model loading and the first RTSP handshakes on a loaded machine. */
const STARTUP_MS = 120_000;
/** After the clip: the last warnings and deliveries. */
const DRAIN_MS = 8000;
/**
 * After PLAY, ffmpeg probes the stream for ~3 s before its first frame, then delivers the buffered frames faster than
 * real time until it has caught up; figures start after that.
 */
const SETTLE_MS = 10_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One measured run: the real `huxiao run` of `tree` as a child process on a generated config, every camera reading its
 * variant through a PLAY probe, a centre subscribed to its alerts and telemetry, /proc sampled once a second. Runs
 * the whole clip once per camera, then stops the gateway with SIGTERM as systemd does.
 */
export async function runTrial(options: TrialOptions): Promise<TrialObservation> {
  const main = join(options.tree, 'dist', 'edge', 'cli', 'main.js');
  if (!existsSync(main)) throw new Error(`no build in ${options.tree}: ${main} is missing (run npx tsc -p tsconfig.json there)`);
  mkdirSync(options.dir, { recursive: true });
  const probes = new Map<string, RtspPlayProbe>();
  const telemetry = new Map<string, TelemetrySample[]>();
  const warnings = new Map<string, number>();
  const centre = new Centre({
    url: options.brokerUrl,
    root: topicRoot('huxiao', options.gatewayId),
    protocolVersion: 5,
    onTelemetry: (message) => {
      for (const camera of message.cameras) {
        const list = telemetry.get(camera.id) ?? [];
        list.push({ at: message.at, fps: camera.fps, drops: camera.drops });
        telemetry.set(camera.id, list);
      }
    },
  });
  const log = { errors: 0, firstErrors: [] as string[] };
  const logPath = join(options.dir, 'gateway.log');
  let child: ChildProcess | undefined;
  let sampler: ProcSampler | undefined;
  try {
    for (const camera of options.cameras) {
      const target = options.servers.get(camera.variant);
      if (target === undefined) throw new Error(`no RTSP server for the ${camera.variant} variant`);
      const probe = new RtspPlayProbe(target);
      await probe.start();
      probes.set(camera.id, probe);
    }
    const configPath = join(options.dir, 'config.yaml');
    writeFileSync(
      configPath,
      gatewayConfig({
        gatewayId: options.gatewayId,
        quietDecode: options.quietDecode,
        cameras: options.cameras.map((camera) => ({ ...camera, url: probes.get(camera.id)?.url('/stream') ?? '' })),
        storeDir: join(options.dir, 'store'),
        audioDir: join(options.dir, 'audio'),
        brokerUrl: options.brokerUrl,
        telemetrySeconds: 5,
      }),
    );
    await centre.start();
    child = spawnGateway(main, configPath, options.dir, logPath, warnings, log);
    sampler = new ProcSampler(child.pid ?? -1, ['ffmpeg']);
    sampler.start();
    const streamStarts = await allPlaying(probes, child, logPath);
    const starts = [...streamStarts.values()];
    await runningUntil(Math.max(...starts) + options.clipSeconds * 1000 + DRAIN_MS, child, logPath);
    const ticks = sampler.stop();
    const nextSessions = new Map<string, number>();
    for (const [camera, probe] of probes) {
      const next = probe.plays()[1];
      if (next !== undefined) nextSessions.set(camera, next);
    }
    return {
      streamStarts,
      nextSessions,
      window: { from: Math.max(...starts) + SETTLE_MS, to: Math.min(...starts) + options.clipSeconds * 1000 },
      ticks,
      telemetry,
      alerts: centre.alerts().map((alert) => ({ id: alert.id, camera: alert.camera, type: alert.type, decidedAt: alert.decidedAt })),
      warnings,
      errors: log.errors,
      firstErrors: log.firstErrors,
      logPath,
    };
  } finally {
    sampler?.stop();
    if (child !== undefined) await stopGateway(child);
    await centre.stop();
    for (const probe of probes.values()) await probe.stop();
  }
}

function spawnGateway(main: string, configPath: string, cwd: string, logPath: string, warnings: Map<string, number>, log: { errors: number; firstErrors: string[] }): ChildProcess {
  const child = spawn(process.execPath, [main, 'run', '-c', configPath], { cwd, env: { ...process.env, HUXIAO_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const file = createWriteStream(logPath);
  child.stdout.pipe(file, { end: false });
  const splitter = new LineSplitter();
  const onLine = (line: string): void => {
    file.write(`${line}\n`);
    let entry: { level?: unknown; time?: unknown; msg?: unknown; alert?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      return;
    }
    if (entry.msg === 'warning playing' && typeof entry.alert === 'string' && typeof entry.time === 'number' && !warnings.has(entry.alert)) warnings.set(entry.alert, entry.time);
    if (typeof entry.level === 'number' && entry.level >= 50) {
      log.errors += 1;
      if (log.firstErrors.length < 3) log.firstErrors.push(String(entry.msg));
    }
  };
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    splitter.push(chunk, onLine);
  });
  child.once('close', () => {
    splitter.flush(onLine);
    file.end();
  });
  return child;
}

function exitedEarly(child: ChildProcess, logPath: string): Error | undefined {
  if (child.exitCode === null && child.signalCode === null) return undefined;
  return new Error(`huxiao run exited early (${child.signalCode ?? `code ${String(child.exitCode)}`}); see ${logPath}`);
}

/** Resolves with each camera's first PLAY once every camera has one; throws if the gateway exits first. */
async function allPlaying(probes: ReadonlyMap<string, RtspPlayProbe>, child: ChildProcess, logPath: string): Promise<Map<string, number>> {
  const deadline = Date.now() + STARTUP_MS;
  for (;;) {
    const starts = new Map<string, number>();
    for (const [camera, probe] of probes) {
      const first = probe.plays()[0];
      if (first !== undefined) starts.set(camera, first);
    }
    if (starts.size === probes.size) return starts;
    const exited = exitedEarly(child, logPath);
    if (exited !== undefined) throw exited;
    if (Date.now() > deadline) {
      const waiting = [...probes.keys()].filter((camera) => !starts.has(camera));
      throw new Error(`cameras ${waiting.join(', ')} did not start their stream within ${String(STARTUP_MS / 1000)} s; see ${logPath}`);
    }
    await sleep(100);
  }
}

/** Waits until `until` (wall ms); throws if the gateway exits before. */
async function runningUntil(until: number, child: ChildProcess, logPath: string): Promise<void> {
  while (Date.now() < until) {
    const exited = exitedEarly(child, logPath);
    if (exited !== undefined) throw exited;
    await sleep(Math.min(250, until - Date.now()));
  }
}

async function stopGateway(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise((resolve) => child.once('close', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await closed;
  clearTimeout(timer);
}
