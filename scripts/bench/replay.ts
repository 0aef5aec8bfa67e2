import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { packageRoot } from '../devkit/footage.js';
import { machineLine } from './machine.js';

/**
 * Replay speed of vtest.avi through the full perception pipeline (decode, motion gate, detector, tracker, rules) at
 * 5 fps detect, with and without the motion gate: x real time, CPU seconds per camera-second of this process and of
 * ffmpeg, detector runs skipped. One rule on a whole-picture zone keeps every stage busy.
 *
 *   npm run bench:replay -- [--tree DIR]... [--rounds N] [--precision int8|fp32] [--gate on|off]
 *
 * --tree replays with another checkout's build (repeatable; the first is the one the others are compared with), e.g.
 *   git worktree add --detach ../huxiao-base 0d6fc7c && ln -s "$PWD/node_modules" ../huxiao-base/node_modules
 *   (cd ../huxiao-base && npx tsc -p tsconfig.json)
 *   npm run bench:replay -- --tree ../huxiao-base --tree . --rounds 3 --precision int8 --gate on
 * Each trial runs in a process of its own, trees interleaved round by round, so load from elsewhere on a shared
 * machine spreads over all trees alike; CPU time is the steadier figure there, wall time the one users see.
 */
function configText(gate: boolean, precision: string): string {
  return `
gateway: { id: bench, timezone: UTC }
vision: { precision: { detector: ${precision} } }
cameras:
  - id: plaza
    url: rtsp://127.0.0.1/plaza
    detect: { width: 768, height: 576, fps: 5 }
    motion: { enabled: ${String(gate)} }
    zones: [{ id: all, polygon: [[0, 0], [1, 0], [1, 1], [0, 1]] }]
rules:
  - { id: all-dwell, type: dwell, camera: plaza, zone: all, seconds: 10 }
`;
}

interface Trial {
  readonly tree: string;
  readonly gate: boolean;
  readonly precision: string;
}

interface Outcome extends Trial {
  readonly frames: number;
  readonly mediaSeconds: number;
  readonly wall: number;
  readonly nodeCpu: number;
  readonly ffmpegCpu: number;
  readonly ran: number;
  readonly cropped: number;
}

/** User + system seconds of this process's waited-for children (ffmpeg), from /proc/self/stat. */
function childrenCpu(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return (Number(fields[13]) + Number(fields[14])) / ticks;
}

/** One replay with the modules of `trial.tree`'s build; prints its outcome as one JSON line. */
async function runTrial(trial: Trial): Promise<void> {
  const load = async <T>(path: string) => (await import(pathToFileURL(join(trial.tree, 'dist', path)).href)) as T;
  const { parseConfig } = await load<typeof import('../../edge/config/load.js')>('edge/config/load.js');
  const { replay } = await load<typeof import('../../edge/ingest/replay.js')>('edge/ingest/replay.js');
  const { openReplayPerception } = await load<typeof import('../../edge/perception-replay.js')>('edge/perception-replay.js');
  const { footageSource } = await load<typeof import('../devkit/footage.js')>('scripts/devkit/footage.js');
  const config = parseConfig(configText(trial.gate, trial.precision), 'bench');
  const camera = config.cameras[0];
  if (camera === undefined) throw new Error('bench config has no camera');
  const perception = await openReplayPerception({ config, camera, keepResults: true });
  const cpuBefore = process.cpuUsage();
  const childBefore = childrenCpu();
  const started = performance.now();
  const summary = await replay({ camera, input: footageSource(), anchor: 0, ...(perception.pipeline === undefined ? {} : { pipeline: perception.pipeline }), write: () => Promise.resolve() });
  const wall = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const ffmpegCpu = childrenCpu() - childBefore;
  await perception.stop();
  const results = perception.results ?? [];
  const outcome: Outcome = {
    ...trial,
    frames: summary.frames,
    mediaSeconds: summary.mediaSeconds,
    wall,
    nodeCpu: (cpu.user + cpu.system) / 1e6,
    ffmpegCpu,
    ran: results.filter((r) => r.detectorRan).length,
    cropped: results.filter((r) => r.detectorRan && r.roi !== undefined).length,
  };
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
}

function spawnTrial(trial: Trial): Outcome {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--trial', JSON.stringify(trial)], {
    encoding: 'utf8',
    env: { ...process.env, HUXIAO_LOG_LEVEL: 'warn' },
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !line.startsWith('{')) throw new Error(`trial ${JSON.stringify(trial)} failed (exit ${String(child.status)}): ${child.stderr.slice(-2000)}`);
  return JSON.parse(line) as Outcome;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

function line(label: string, runs: readonly Outcome[]): string {
  const first = runs[0];
  if (first === undefined) return `${label}: no runs`;
  const media = first.mediaSeconds;
  const wall = median(runs.map((r) => r.wall));
  const node = median(runs.map((r) => r.nodeCpu)) / media;
  const ffmpeg = median(runs.map((r) => r.ffmpegCpu)) / media;
  return (
    `${label}: ${String(first.frames)} frames, ${media.toFixed(1)} media s in ${wall.toFixed(1)} s = ${(media / wall).toFixed(2)}x real time; ` +
    `CPU ${node.toFixed(3)} s per camera-second (node) + ${ffmpeg.toFixed(3)} (ffmpeg decode); ` +
    `detector runs ${String(first.ran)}/${String(first.frames)} (${((1 - first.ran / Math.max(1, first.frames)) * 100).toFixed(1)}% skipped, ${String(first.cropped)} on a crop)` +
    (runs.length > 1 ? `; median of ${String(runs.length)}, wall ${runs.map((r) => r.wall.toFixed(1)).join('/')} s` : '')
  );
}

const { values } = parseArgs({
  options: {
    trial: { type: 'string' },
    tree: { type: 'string', multiple: true, default: [] },
    rounds: { type: 'string', default: '1' },
    precision: { type: 'string' },
    gate: { type: 'string' },
  },
});

if (values.trial !== undefined) {
  await runTrial(JSON.parse(values.trial) as Trial);
} else {
  process.stdout.write(`${machineLine()}\n`);
  const trees = values.tree.length === 0 ? [packageRoot()] : values.tree.map((dir) => resolve(dir));
  /** The runtime's default (int8) first, then fp32 for comparison; --precision (or HUXIAO_BENCH_PRECISION) picks one. */
  const chosen = values.precision ?? process.env.HUXIAO_BENCH_PRECISION;
  const precisions = chosen === undefined ? ['int8', 'fp32'] : [chosen];
  const gates = values.gate === undefined ? [true, false] : [values.gate === 'on'];
  const rounds = Math.max(1, Number(values.rounds));
  const outcomes: Outcome[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const precision of precisions) for (const gate of gates) for (const tree of trees) outcomes.push(spawnTrial({ tree, gate, precision }));
  }
  for (const precision of precisions) {
    for (const gate of gates) {
      const of = (tree: string) => outcomes.filter((o) => o.tree === tree && o.gate === gate && o.precision === precision);
      const base = of(trees[0] ?? '');
      for (const tree of trees) {
        const runs = of(tree);
        const label = `replay vtest.avi ${precision} motion gate ${gate ? 'on ' : 'off'}${trees.length > 1 ? ` ${tree}` : ''}`;
        process.stdout.write(`${line(label, runs)}\n`);
        if (tree !== trees[0] && base.length > 0) {
          const ratio = (pick: (o: Outcome) => number) => (median(base.map(pick)) / median(runs.map(pick))).toFixed(2);
          process.stdout.write(`  vs ${trees[0] ?? ''}: ${ratio((o) => o.wall)}x faster (wall), ${ratio((o) => o.nodeCpu)}x less node CPU, ${ratio((o) => o.nodeCpu + o.ffmpegCpu)}x less CPU with ffmpeg\n`);
        }
      }
    }
  }
}
