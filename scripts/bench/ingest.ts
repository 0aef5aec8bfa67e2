import { parseArgs } from 'node:util';
import { WallClock } from '../../edge/clock/clock.js';
import { cameraSchema } from '../../edge/config/cameras.js';
import { CameraSource } from '../../edge/ingest/camera-source.js';
import { ffmpegTool } from '../../edge/ingest/ffmpeg-process.js';
import { startTool } from '../../edge/process/tool.js';
import { footageMp4 } from '../devkit/footage.js';
import { freeLoopbackPort } from '../devkit/free-port.js';
import { RtspTestServer } from '../devkit/rtsp-test-server.js';
import { machineLine } from './machine.js';
import { childPids, processCpuSeconds } from './lib/ingest-proc.js';

/**
 * N cameras of the shipped footage at 1280x720 / 5 fps through the RTSP test server: CPU seconds per camera-second
 * of the ffmpeg children and of this Node process, and of plain `ffmpeg -f null` decoding of the same streams (the
 * floor any ingest pays). Usage: npm run bench:ingest -- --cameras 4 --seconds 20
 */
const { values } = parseArgs({ options: { cameras: { type: 'string', default: '4' }, seconds: { type: 'string', default: '20' } } });
const cameras = Number(values.cameras);
const seconds = Number(values.seconds);
if (!Number.isInteger(cameras) || cameras < 1 || !(seconds > 0 && seconds <= 70)) {
  throw new Error('--cameras must be a positive integer and --seconds between 0 and 70 (the clip is 79.5 s)');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const sumCpu = (pids: readonly number[]): number => pids.reduce((sum, pid) => sum + (processCpuSeconds(pid) ?? 0), 0);

async function measureCameraSources(url: string): Promise<{ ffmpeg: number; node: number; frames: number; wall: number }> {
  const sources = Array.from({ length: cameras }, (_, index) => {
    const camera = cameraSchema.parse({ id: `bench-${String(index)}`, url, detect: { width: 1280, height: 720, fps: 5 } });
    return new CameraSource({ camera, clock: new WallClock(), onFrame: () => undefined });
  });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (const source of sources) source.start();
  await sleep(seconds * 1000);
  const ffmpeg = sumCpu(childPids('ffmpeg'));
  const cpu = process.cpuUsage(cpuBefore);
  const wall = (performance.now() - started) / 1000;
  const frames = sources.reduce((sum, source) => sum + source.status().frames, 0);
  await Promise.all(sources.map((source) => source.stop()));
  return { ffmpeg, node: (cpu.user + cpu.system) / 1e6, frames, wall };
}

async function measureFloor(url: string): Promise<{ ffmpeg: number; wall: number }> {
  const children = Array.from({ length: cameras }, () =>
    startTool(ffmpegTool(['-hide_banner', '-nostdin', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', url, '-f', 'null', '-'])),
  );
  const started = performance.now();
  await sleep(seconds * 1000);
  const ffmpeg = sumCpu(children.map((child) => child.pid ?? -1));
  const wall = (performance.now() - started) / 1000;
  await Promise.all(children.map((child) => child.stop()));
  return { ffmpeg, wall };
}

process.stdout.write(`${machineLine()}\n`);
const file = await footageMp4();
const server = new RtspTestServer({ file, port: await freeLoopbackPort() });
await server.start();
try {
  const ingest = await measureCameraSources(server.url());
  const floor = await measureFloor(server.url());
  const perCamSec = (cpu: number, wall: number): string => (cpu / (cameras * wall)).toFixed(3);
  process.stdout.write(`ingest: ${String(cameras)} cameras x ${seconds.toFixed(0)} s, vtest.avi as H.264 768x576 10 fps over RTSP/TCP -> 1280x720 RGB24 at 5 fps\n`);
  process.stdout.write(`  frames delivered: ${String(ingest.frames)} (${(ingest.frames / (cameras * ingest.wall)).toFixed(2)} per camera-second)\n`);
  process.stdout.write(`  ffmpeg (camera sources): ${perCamSec(ingest.ffmpeg, ingest.wall)} CPU s per camera-second\n`);
  process.stdout.write(`  node (frame reader, pool): ${perCamSec(ingest.node, ingest.wall)} CPU s per camera-second\n`);
  process.stdout.write(`  floor, ffmpeg -f null decode only: ${perCamSec(floor.ffmpeg, floor.wall)} CPU s per camera-second\n`);
} finally {
  await server.stop();
}
