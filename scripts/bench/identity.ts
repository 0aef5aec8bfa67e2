import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlaybackEvent } from '../../edge/actions/player.js';
import type { AlertEvent } from '../../edge/store/alert.js';
import { loadConfig } from '../../edge/config/load.js';
import { visionSchema } from '../../edge/config/vision.js';
import { Controller } from '../../edge/controller.js';
import { openFaceModels } from '../../edge/identity/face-models.js';
import { rootLogger } from '../../edge/log.js';
import type { PerceptionResult } from '../../edge/perception.js';
import { percentile } from '../../edge/vision/latency-window.js';
import { groupPhotoPath } from '../../test/helpers/face-set.js';
import { panClip } from '../../test/helpers/footage.js';
import { PEOPLE } from '../../test/helpers/face-set.js';
import { enrollPortraits, portraitFaces, type Enrolled, type PortraitFace } from '../../test/helpers/portrait-gallery.js';
import { startRtspServer } from '../../test/helpers/rtsp-server.js';
import { machineLine } from './machine.js';

/**
 * What face identification costs the live pipeline, on a camera panning over the bbt3 group photo (five people, 400 x
 * 382 at 10 fps from the project's RTSP server, the real models, the encrypted gallery holding the 40 portraits):
 * - the detector's frame latency, frame arrival (its wall-clock timestamp) -> perception result, on the frames the
 *   detector ran on, with the same rule with and without `identify` (face work off / on);
 * - deciding frame -> playback start of the warning that names the child (aplay on ALSA "null", no chime, a fresh
 *   audio cache so every named sentence is synthesized), for hits that carried the identity and for identities that
 *   arrived after the hit (the warning service then says the name at once);
 * - hit -> identity, for hits decided before the face was.
 */
const PAN = { width: 400, height: 382, panPx: 194, seconds: 8 } as const;
const RUNS = 4;

interface Run {
  readonly latencies: number[];
  readonly superseded: number;
  readonly processed: number;
  readonly namedAtHit: number[];
  readonly namedLater: number[];
  readonly hitToIdentity: number[];
  /** Hits: with the identity, identified later, never identified. */
  readonly hits: readonly [number, number, number];
  readonly faceJobs: string;
}

function summary(values: readonly number[]): string {
  if (values.length === 0) return 'none';
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 0.5).toFixed(0)} ms, p95 ${percentile(sorted, 0.95).toFixed(0)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(0)} ms (n=${String(values.length)})`;
}

async function run(dir: string, clip: string, gallery: { faces: readonly PortraitFace[]; enrolled: ReadonlyMap<string, Enrolled> }, identify: boolean): Promise<Run> {
  const server = await startRtspServer({ file: clip });
  const configPath = join(dir, `config-${String(identify)}.yaml`);
  const storeDir = join(dir, `store-${String(identify)}-${String(Date.now())}`);
  const keyFile = join(storeDir, 'gallery.key');
  if (identify) enrollPortraits(storeDir, keyFile, gallery.faces, gallery.enrolled);
  writeFileSync(
    configPath,
    [
      'gateway: { id: bench, timezone: UTC }',
      'cameras:',
      `  - { id: pond, url: "${server.url()}", detect: { width: ${String(PAN.width)}, height: ${String(PAN.height)}, fps: 10 },`,
      `      zones: [{ id: water, name: 水边, polygon: [[0, 0], [120, 0], [120, ${String(PAN.height)}], [0, ${String(PAN.height)}]] }] }`,
      'rules:',
      `  - { id: fence, type: intrusion, camera: pond, zone: water, identify: ${String(identify)}, severity: critical, actions: [voice] }`,
      'actions:',
      '  - { id: voice, type: voice, template: "{class}{name}同学，请立即离开水边！", fallback: "同学，请立即离开水边！", repeatSeconds: 2, maxRepeats: 5 }',
      `storage: { dir: "${storeDir}" }`,
      `identity: { keyFile: "${keyFile}" }`,
      `audio: { device: "null", chime: { enabled: false }, cache: { dir: "${join(dir, `audio-${String(Date.now())}`)}" } }`,
    ].join('\n'),
  );
  const latencies: number[] = [];
  const onResult = (result: PerceptionResult): void => {
    if (result.detectorRan) latencies.push(Date.now() - result.ts);
  };
  const controller = new Controller({ config: loadConfig(configPath), configPath, onResult });
  const alerts: (AlertEvent & { at: number })[] = [];
  const starts: Extract<PlaybackEvent, { kind: 'start' }>[] = [];
  try {
    await controller.start();
    controller.onAlertEvent((event) => alerts.push({ ...event, at: Date.now() }));
    controller.actions.onPlayback((event) => {
      if (event.kind === 'start') starts.push(event);
    });
    const worker = controller.cameras()[0];
    if (worker === undefined) throw new Error('no camera worker');
    await until(() => worker.status().state === 'streaming', 60_000);
    await until(() => worker.status().state !== 'streaming', 120_000);
    await server.stop();
    await until(() => starts.length > 0 && Date.now() - (starts.at(-1)?.startedAt ?? 0) > 5000, 60_000);
    const status = worker.status();
    const raised = alerts.filter((e) => e.kind === 'raised');
    const namedAtHit: number[] = [];
    const namedLater: number[] = [];
    const hitToIdentity: number[] = [];
    let never = 0;
    for (const { alert } of raised) {
      const named = starts.find((s) => s.request.alertId === alert.id && s.request.personal === true && !s.request.text.startsWith('同学'));
      const identified = alerts.find((e) => e.alert.id === alert.id && e.alert.identity !== null);
      if (alert.identity !== null) {
        if (named !== undefined) namedAtHit.push(named.startedAt - alert.decidedAt);
      } else if (identified !== undefined) {
        hitToIdentity.push(identified.at - alert.raisedAt);
        if (named !== undefined) namedLater.push(named.startedAt - alert.decidedAt);
      } else never += 1;
    }
    const hits = [raised.length - hitToIdentity.length - never, hitToIdentity.length, never] as const;
    return { latencies, superseded: status.superseded, processed: status.processed, namedAtHit, namedLater, hitToIdentity, hits, faceJobs: faceLine(controller) };
  } finally {
    await controller.stop();
    await server.stop();
  }
}

function faceLine(controller: Controller): string {
  const stats = controller.cameras()[0]?.identityStats();
  return stats === undefined ? 'no face work' : `face jobs ${String(stats.attempts)}, views ${String(stats.views)}, identified ${String(stats.identified)}, suspended ${String(stats.suspended)}, revoked ${String(stats.revoked)}, deferred ${String(stats.deferred)}`;
}

async function until(check: () => boolean, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('the bench scene did not end in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// The camera's reconnect attempts after the scene (the server is stopped) are warnings nobody needs here.
rootLogger.level = 'error';
process.stdout.write(`${machineLine()}\nload average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
const dir = await mkdtemp(join(tmpdir(), 'huxiao-bench-identity-'));
try {
  const models = await openFaceModels(visionSchema.parse({}));
  // Everyone a student with a name and class, so every identified hit can be named.
  const enrolled = new Map(PEOPLE.map((person, i) => [person, { list: 'students', names: { name: `学生${String(i + 1)}`, class: '三年级二班' } }]));
  const gallery = { faces: await portraitFaces(models), enrolled };
  await models.stop();
  const clip = await panClip(groupPhotoPath('bbt3.jpg'), PAN, join(dir, 'bbt3-pan.mp4'));
  const results = new Map<boolean, Run[]>([[false, []], [true, []]]);
  // Alternated, so both modes see the same share of whatever else the machine is doing.
  for (let i = 0; i < RUNS; i += 1) for (const identify of [false, true]) results.get(identify)?.push(await run(dir, clip, gallery, identify));
  for (const [identify, runs] of results) {
    const all = (pick: (r: Run) => number[]): number[] => runs.flatMap(pick);
    const frames = `${String(runs.reduce((n, r) => n + r.processed, 0))} frames processed, ${String(runs.reduce((n, r) => n + r.superseded, 0))} superseded`;
    process.stdout.write(`\nface work ${identify ? 'on ' : 'off'}: detector frame latency (arrival -> perception result) ${summary(all((r) => r.latencies))}; ${frames}\n`);
    if (!identify) continue;
    process.stdout.write(`  ${runs.map((r) => r.faceJobs).join('; ')}\n`);
    const hits = [0, 1, 2].map((k) => runs.reduce((n, r) => n + (r.hits[k] ?? 0), 0));
    process.stdout.write(`  hits: ${String(hits[0])} with the identity, ${String(hits[1])} identified later, ${String(hits[2])} never identified\n`);
    process.stdout.write(`  deciding frame -> named warning playing, identity in the hit: ${summary(all((r) => r.namedAtHit))}\n`);
    process.stdout.write(`  hit -> identity, for hits decided before the face: ${summary(all((r) => r.hitToIdentity))}\n`);
    process.stdout.write(`  deciding frame -> named warning playing, identity after the hit: ${summary(all((r) => r.namedLater))}\n`);
  }
  process.stdout.write(`load average at end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
