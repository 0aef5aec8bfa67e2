import { parseConfig } from '../../edge/config/load.js';
import { replay } from '../../edge/ingest/replay.js';
import { openReplayPerception } from '../../edge/perception-replay.js';
import { footageSource } from '../devkit/footage.js';
import { machineLine } from './machine.js';

/**
 * Replay speed of vtest.avi through the full perception pipeline (decode, motion gate, detector, tracker, rules) at
 * 5 fps detect, with and without the motion gate: x real time, CPU seconds per camera-second, detector runs skipped.
 * One rule on a whole-picture zone keeps every stage busy.
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

async function run(gate: boolean, precision: string): Promise<void> {
  const config = parseConfig(configText(gate, precision), 'bench');
  const camera = config.cameras[0];
  if (camera === undefined) throw new Error('bench config has no camera');
  const perception = await openReplayPerception({ config, camera, keepResults: true });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const summary = await replay({
    camera,
    input: footageSource(),
    anchor: 0,
    ...(perception.pipeline === undefined ? {} : { pipeline: perception.pipeline }),
    write: () => Promise.resolve(),
  });
  const wall = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await perception.stop();
  const results = perception.results ?? [];
  const ran = results.filter((r) => r.detectorRan).length;
  const cropped = results.filter((r) => r.roi !== undefined).length;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  process.stdout.write(
    `replay vtest.avi ${precision} motion gate ${gate ? 'on ' : 'off'}: ${String(summary.frames)} frames, ${summary.mediaSeconds.toFixed(1)} media s in ${wall.toFixed(1)} s = ` +
      `${(summary.mediaSeconds / wall).toFixed(2)}x real time; CPU ${(cpuSeconds / summary.mediaSeconds).toFixed(2)} s per camera-second (this process; ffmpeg decode not included); ` +
      `detector runs ${String(ran)}/${String(results.length)} (${((1 - ran / Math.max(1, results.length)) * 100).toFixed(1)}% skipped, ${String(cropped)} on a crop)\n`,
  );
}

process.stdout.write(`${machineLine()}\n`);
/** The runtime's default (int8) first, then fp32 for comparison; HUXIAO_BENCH_PRECISION picks one. */
const precisions = process.env.HUXIAO_BENCH_PRECISION === undefined ? ['int8', 'fp32'] : [process.env.HUXIAO_BENCH_PRECISION];
for (const precision of precisions) {
  await run(true, precision);
  await run(false, precision);
}
