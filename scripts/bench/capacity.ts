import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freeLoopbackPort } from '../devkit/free-port.js';
import { packageRoot } from '../devkit/footage.js';
import { RtspTestServer } from '../devkit/rtsp-test-server.js';
import type { RgbImage } from '../../edge/ingest/frame.js';
import { rootLogger } from '../../edge/log.js';
import { ON_TIME_MS } from './lib/alert-timing.js';
import { CLIP_SECONDS, cutStart, variantMp4, type Variant } from './lib/capacity-footage.js';
import { decodeCores, detectorCost, detectorFrames } from './lib/capacity-limit.js';
import { formatRow, largestOnTime, rowOf, tableHeader, type LimitInputs, type Row } from './lib/capacity-report.js';
import { camerasOf, type QuietDecode, type SetName } from './lib/capacity-scene.js';
import { runTrial } from './lib/gateway-trial.js';
import { LocalMosquitto } from './lib/local-mosquitto.js';
import { cpuFlagsLine, machineLine } from './machine.js';

/**
 * How many cameras one gateway carries with every fence alert on time. For each N: the real `huxiao run` (a child
 * process) on N cameras served by the RTSP test server from the footage at 1280x720 10 fps, detect 1280x720 / 5 fps,
 * a local mosquitto, voice warnings to ALSA's null device; the whole clip once. Two sets: N busy cameras (the footage,
 * plain and mirrored, each with the demo's pond fence: intrusion + 12 s dwell), and the school mix (the pond camera,
 * a gate camera, N-2 quiet scenes). Reported per N: fps reaching the rules, CPU and RSS of the gateway and its
 * ffmpegs, the fence alerts raised against those expected (2 intrusions + 1 dwell per fence camera) and fence entry ->
 * warning start p95; then the largest N on time and the limit (decode alone + the detector alone at the rate the
 * rules need). One N takes about 95 s (the clip is 79.5 s).
 *
 *   npm run bench:capacity -- [--busy 1,2,3,4] [--mix 2,4,6,8] [--tree DIR]... [--seconds 79.5] [--quiet-rate 1]
 *
 * --tree runs the gateway of another checkout's build (repeatable; the first is the one the others are compared with,
 * so put today's main first); the bench itself, the footage and the limit stay this checkout's. Preparing a baseline:
 *   git worktree add ../huxiao-base 4ade647 && ln -s "$PWD/node_modules" ../huxiao-base/node_modules
 *   (cd ../huxiao-base && npx tsc -p tsconfig.json)
 *   npm run bench:capacity -- --tree ../huxiao-base --tree .
 */
const { values } = parseArgs({
  options: {
    busy: { type: 'string', default: '1,2,3,4' },
    mix: { type: 'string', default: '2,4,6,8' },
    tree: { type: 'string', multiple: true, default: [] },
    seconds: { type: 'string', default: String(CLIP_SECONDS) },
    'quiet-rate': { type: 'string', default: '1' },
    'decode-seconds': { type: 'string', default: '20' },
    'detector-runs': { type: 'string', default: '30' },
    out: { type: 'string' },
  },
});

/** The clip's last seconds must still hold the man's first steps on the lawn (50.8 s) with time for the tracker. */
const MIN_SECONDS = 35;
const DETECT_FPS = 5;

function counts(flag: string, text: string, min: number): number[] {
  if (text === '' || text === 'none') return [];
  const list = text.split(',').map((part) => Number(part.trim()));
  if (list.some((n) => !Number.isInteger(n) || n < min || n > 64)) throw new Error(`--${flag} must be a comma-separated list of camera counts from ${String(min)} to 64 (or "none"), got "${text}"`);
  return list;
}

function positive(flag: string, text: string, max: number): number {
  const value = Number(text);
  if (!(value > 0 && value <= max)) throw new Error(`--${flag} must be a number above 0 and at most ${String(max)}, got "${text}"`);
  return value;
}

const sets: [SetName, number[]][] = [
  ['busy', counts('busy', values.busy, 1)],
  ['mix', counts('mix', values.mix, 2)],
];
const seconds = positive('seconds', values.seconds, CLIP_SECONDS);
if (seconds < MIN_SECONDS) throw new Error(`--seconds must be at least ${String(MIN_SECONDS)}: the fence alerts come at 50.8-66 s of the ${String(CLIP_SECONDS)} s clip`);
const quietRate = positive('quiet-rate', values['quiet-rate'], DETECT_FPS);
const decodeSeconds = Math.min(seconds - 5, positive('decode-seconds', values['decode-seconds'], 600));
const detectorRuns = Math.round(positive('detector-runs', values['detector-runs'], 10_000));
const out = resolve(values.out ?? join(tmpdir(), `huxiao-bench-capacity-${new Date().toISOString().replace(/[:.]/g, '-')}`));

interface Tree {
  readonly label: string;
  readonly dir: string;
  readonly commit: string;
  readonly quietDecode: QuietDecode;
}

function describeTree(dir: string, index: number): Tree {
  if (!existsSync(join(dir, 'dist', 'edge', 'cli', 'main.js'))) throw new Error(`--tree ${dir}: no dist/edge/cli/main.js; build it there with npx tsc -p tsconfig.json`);
  const git = spawnSync('git', ['-C', dir, 'describe', '--always', '--dirty'], { encoding: 'utf8' });
  // A build from before cameras[].input.decode refuses the key (the schema is strict) and decodes every frame.
  const schema = join(dir, 'config', 'schema.json');
  const quietDecode = existsSync(schema) && readFileSync(schema, 'utf8').includes('"keyframes"') ? 'keyframes' : 'all';
  return { label: String.fromCharCode(65 + index), dir, commit: git.status === 0 ? git.stdout.trim() : basename(dir), quietDecode };
}

// The limit's detector runs in this process; its info lines would break the table.
rootLogger.level = 'warn';
const trees = (values.tree.length === 0 ? [packageRoot()] : values.tree.map((dir) => resolve(dir))).map(describeTree);
const trials = sets.reduce((sum, [, ns]) => sum + ns.length, 0) * trees.length;

process.stdout.write(`${machineLine()}\n${cpuFlagsLine()}\n`);
process.stdout.write(
  `capacity: huxiao run on N RTSP cameras (footage as H.264 1280x720 10 fps), detect 1280x720 / ${String(DETECT_FPS)} fps, mosquitto, voice to ALSA null; ` +
    `${seconds === CLIP_SECONDS ? 'the whole clip' : `the last ${String(seconds)} s of the clip (from ${String(cutStart(seconds))} s)`} per N; ` +
    `${String(trials)} runs, about ${String(Math.ceil((trials * (seconds + 20)) / 60))} min\n`,
);
for (const tree of trees) {
  const quiet = tree.quietDecode === 'keyframes' ? 'quiet cameras decode key frames only' : 'every camera decodes every frame';
  process.stdout.write(`gateway ${tree.label}: ${tree.dir} (${tree.commit}; ${quiet})\n`);
}
process.stdout.write(`output (configs, stores, gateway logs): ${out}\n`);
mkdirSync(out, { recursive: true });

const variants = new Set<Variant>(sets.flatMap(([set, ns]) => ns.flatMap((n) => camerasOf(set, n).map((camera) => camera.variant))));
const servers = new Map<Variant, RtspTestServer>();
const broker = new LocalMosquitto(out);
try {
  for (const variant of variants) {
    const server = new RtspTestServer({ file: await variantMp4(variant, seconds), port: await freeLoopbackPort() });
    await server.start();
    servers.set(variant, server);
  }
  await broker.start();

  const frames = await detectorFrames();
  const limit = await measureLimit(frames);
  const targets = new Map([...servers].map(([variant, server]) => [variant, { host: '127.0.0.1', port: Number(new URL(server.url()).port) }]));
  const results = new Map<SetName, Row[]>();
  for (const [set, ns] of sets) {
    if (ns.length === 0) continue;
    process.stdout.write(`\n${describeSet(set)}\n${tableHeader()}\n`);
    const rows: Row[] = [];
    for (const n of ns) {
      for (const tree of trees) {
        const cameras = camerasOf(set, n);
        const name = `${tree.label.toLowerCase()}-${set}-${String(n)}`;
        const dir = join(out, name);
        try {
          // The machine's speed drifts (the same detector took 16.4 and 23.3 ms per run in two bench runs an hour apart), so
          // the limit's detector part is measured again right before each run: against an old figure a ratio shows drift.
          const detector = await detectorCost(detectorRuns, frames);
          const observation = await runTrial({ tree: tree.dir, dir, gatewayId: `cap-${name}`, cameras, servers: targets, brokerUrl: broker.url, clipSeconds: seconds, quietDecode: tree.quietDecode });
          const row = rowOf(tree.label, cameras, observation, cutStart(seconds), { ...limit, detectorCpuMsPerRun: detector.cpuMsPerRun });
          writeFileSync(join(dir, 'result.json'), `${JSON.stringify({ row, streamStarts: Object.fromEntries(observation.streamStarts), window: observation.window }, null, 2)}\n`);
          rows.push(row);
          process.stdout.write(`${formatRow(row)}\n`);
        } catch (error) {
          // One failed run (a gateway that did not start) is reported and counts as not on time; the others still run.
          process.stdout.write(`${tree.label.padEnd(6)}${String(n).padEnd(4)}run failed: ${error instanceof Error ? error.message : String(error)}\n`);
        }
      }
    }
    results.set(set, rows);
  }
  summarize(results);
} finally {
  await broker.stop();
  for (const server of servers.values()) await server.stop();
}

async function measureLimit(frames: readonly RgbImage[]): Promise<LimitInputs> {
  const urls = new Map([...servers].map(([variant, server]) => [variant, server.url()]));
  const decode = await decodeCores(urls, decodeSeconds);
  const detector = await detectorCost(detectorRuns, frames);
  const decoded = [...decode].map(([variant, value]) => `${variant} ${value.toFixed(3)}`).join(', ');
  process.stdout.write(`\nlimit = decode alone + detector alone at the rate the rules need\n`);
  process.stdout.write(`  decode (ffmpeg -f null over RTSP, ${decodeSeconds.toFixed(0)} s): ${decoded} cores per stream\n`);
  process.stdout.write(
    `  detector ${detector.model}, ${String(detector.threads)} threads, whole 1280x720 frame: ${detector.cpuMsPerRun.toFixed(1)} ms CPU per run ` +
      `(p50 ${detector.wallMsP50.toFixed(1)} ms wall, ${String(detectorRuns)} runs); busy camera ${String(DETECT_FPS)} runs/s, quiet camera ${String(quietRate)} run/s\n`,
  );
  process.stdout.write(`  the detector's CPU per run is measured again before each run; each row's limit uses that figure\n`);
  return { decode, detectorCpuMsPerRun: detector.cpuMsPerRun, busyRate: DETECT_FPS, quietRate };
}

function describeSet(set: SetName): string {
  return set === 'busy'
    ? 'busy set: N cameras of the footage (plain and mirrored alternating), each with the pond fence (intrusion + 12 s dwell, voice)'
    : 'school mix: the pond camera (footage, pond fence), a gate camera (mirrored, line-cross + 20 s loitering), N-2 quiet scenes (a still with sensor noise, absence rule; key frames only where the build has input.decode)';
}

function summarize(results: ReadonlyMap<SetName, readonly Row[]>): void {
  process.stdout.write(`\nlargest N with every fence alert raised and entry -> warning p95 <= ${(ON_TIME_MS / 1000).toFixed(1)} s\n`);
  for (const [set, rows] of results) {
    const best = new Map<string, Row | undefined>();
    for (const tree of trees) {
      const row = largestOnTime(rows.filter((r) => r.tree === tree.label));
      best.set(tree.label, row);
      const pipeline = row?.nodeCores !== undefined && row.ffmpegCores !== undefined ? row.nodeCores + row.ffmpegCores : undefined;
      const figures =
        row === undefined
          ? 'none'
          : `${String(row.n)} (pipeline ${pipeline === undefined ? '-' : pipeline.toFixed(2)} cores, limit ${row.limitCores.toFixed(2)}` +
            `${pipeline === undefined ? '' : ` = ${(pipeline / row.limitCores).toFixed(2)}x`})`;
      process.stdout.write(`  ${set.padEnd(5)} ${tree.label}: ${figures}\n`);
    }
    const [first, ...others] = trees;
    const reference = first === undefined ? undefined : best.get(first.label);
    for (const tree of others) {
      const row = best.get(tree.label);
      const ratio = reference === undefined || row === undefined ? 'n/a' : `${(row.n / reference.n).toFixed(2)}x`;
      const target = set === 'busy' ? '>= 2x' : '>= 4x';
      process.stdout.write(`  ${set.padEnd(5)} ${tree.label} against ${first?.label ?? '?'}: ${ratio} (target ${target}; pipeline CPU target <= 1.3x the limit)\n`);
    }
  }
}
