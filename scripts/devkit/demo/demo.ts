import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlaybackEvent } from '../../../edge/actions/player.js';
import { Controller } from '../../../edge/controller.js';
import type { CameraWorker } from '../../../edge/camera-worker.js';
import { footageMp4, footageSource } from '../footage.js';
import { RtspTestServer } from '../rtsp-test-server.js';
import { moduleLogger } from '../../../edge/log.js';
import { topicRoot } from '../../../edge/uplink/topics.js';
import { Centre, type ReceivedAlert, type ReceivedTelemetry } from './centre.js';
import { demoConfig } from './demo-config.js';
import { EmbeddedBroker } from './embedded-broker.js';
import { freeLoopbackPort } from '../free-port.js';

export interface DemoOptions {
  readonly configPath: string;
  readonly out: string;
  /** Resolves when the user asks to stop early (Ctrl-C). */
  readonly interrupted: Promise<unknown>;
  readonly aplay?: string;
  readonly onEvent: (event: DemoEvent) => void;
}

/** Frame timing, so alert times can be told in media time (seconds into the footage) as well as wall time. */
export interface FrameMark {
  readonly seq: number;
  readonly ts: number;
}

export type DemoEvent =
  | { readonly kind: 'ready'; readonly rtspUrl: string; readonly brokerUrl: string; readonly embeddedBroker: boolean; readonly audio: AudioMode }
  | { readonly kind: 'alert'; readonly alert: ReceivedAlert; readonly mediaSeconds: number | undefined }
  /** `path`: where the demo saved the JPEG the centre received, to be opened beside the store's copy. */
  | { readonly kind: 'snapshot'; readonly alert: ReceivedAlert; readonly path: string }
  | { readonly kind: 'telemetry'; readonly telemetry: ReceivedTelemetry }
  | { readonly kind: 'warning'; readonly alertId: string; readonly text: string; readonly wavPath: string; readonly startedAt: number }
  | { readonly kind: 'summary'; readonly summary: DemoSummary };

export interface AudioMode {
  readonly device: string;
  /** True when a sound card was found and warnings are heard; otherwise they are rendered to WAV files only. */
  readonly audible: boolean;
}

export interface AlertTiming {
  readonly id: string;
  readonly type: string;
  readonly zone: string;
  readonly trackId: number | null;
  /** Seconds into the footage of the first frame the object was inside, and of the frame the rule decided on. */
  readonly firstSeenMedia: number | undefined;
  readonly decidedMedia: number | undefined;
  /** Wall-clock ms from that first frame's arrival to: commit, warning start, centre receipt. */
  readonly toCommitMs: number;
  readonly toWarningMs: number | undefined;
  readonly toCentreMs: number | undefined;
}

export interface DemoSummary {
  readonly endedBy: 'footage-end' | 'interrupted' | 'timeout';
  readonly frames: number;
  readonly detectorRuns: number;
  readonly detections: number;
  readonly alertsRaised: number;
  readonly alertsDelivered: number;
  readonly duplicateDeliveries: number;
  /** Messages on alerts or telemetry that did not match their JSON Schema (should be 0). */
  readonly invalidPayloads: number;
  readonly snapshotsReceived: number;
  readonly warningsSpoken: number;
  readonly audio: AudioMode;
  readonly database: string;
  readonly snapshotsDir: string;
  readonly audioDir: string;
  readonly timings: readonly AlertTiming[];
}

const log = moduleLogger('demo');
/** The footage is 79.5 s; past this the demo stops whatever the stream says. */
const MAX_RUN_MS = 180_000;
/** After the footage ends, how long the outbox and the speaker get to finish. */
const DRAIN_MS = 20_000;

/** A sound card exists when ALSA lists one; containers and most CI machines have none. */
function audioMode(): AudioMode {
  const cards = existsSync('/proc/asound/cards') ? readFileSync('/proc/asound/cards', 'utf8') : '';
  const audible = /^\s*\d+\s*\[/m.test(cards);
  return { device: audible ? 'default' : 'null', audible };
}

/**
 * `huxiao demo`: the shipped footage as an RTSP camera on this box, the real runtime on it (the same Controller as
 * `huxiao run`), an embedded broker when the config names none, and a subscriber playing the centre.
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const storeDir = join(options.out, 'store');
  const centreDir = join(options.out, 'centre');
  rmSync(storeDir, { recursive: true, force: true });
  rmSync(centreDir, { recursive: true, force: true });
  mkdirSync(centreDir, { recursive: true });
  const footage = await footageMp4();
  log.info({ source: footageSource(), h264: footage }, 'footage ready');

  const server = new RtspTestServer({ file: footage, port: await freeLoopbackPort(), path: '/vtest' });
  const broker = new EmbeddedBroker({ port: await freeLoopbackPort() });
  const audio = audioMode();
  const { config, embeddedBroker } = demoConfig(options.configPath, { cameraUrl: server.url(), out: options.out, audioDevice: audio.device, brokerUrl: broker.url });
  const mqtt = config.mqtt;
  const fps = config.cameras[0]?.detect.fps;
  if (mqtt === undefined || fps === undefined) throw new Error('the demo config needs a camera and a broker');

  const frames: FrameMark[] = [];
  const warnings = new Map<string, number>();
  let spoken = 0;
  let playing = 0;
  const emit = options.onEvent;
  const mediaOf = (ts: number): number | undefined => {
    const mark = frames.find((frame) => frame.ts === ts);
    return mark === undefined ? undefined : mark.seq / fps;
  };

  const centre = new Centre({
    url: embeddedBroker ? broker.url : mqtt.url,
    root: topicRoot(mqtt.prefix, config.gateway.id),
    protocolVersion: embeddedBroker ? 4 : mqtt.protocolVersion,
    onAlert: (alert) => { emit({ kind: 'alert', alert, mediaSeconds: mediaOf(alert.decidedAt) }); },
    onSnapshot: (alert, jpeg) => {
      const path = join(centreDir, `${alert.id}-snapshot.jpg`);
      writeFileSync(path, jpeg);
      emit({ kind: 'snapshot', alert, path });
    },
    onTelemetry: (telemetry) => { emit({ kind: 'telemetry', telemetry }); },
  });
  const controller = new Controller({
    config,
    onResult: (result) => { frames.push({ seq: result.frameSeq, ts: result.ts }); },
    ...(options.aplay === undefined ? {} : { aplay: options.aplay }),
  });

  await server.start();
  if (embeddedBroker) await broker.start();
  await centre.start();
  await controller.start();
  controller.actions.onPlayback((event: PlaybackEvent) => {
    if (event.kind === 'end' && event.startedAt !== undefined) playing -= 1;
    if (event.kind !== 'start') return;
    playing += 1;
    spoken += 1;
    if (!warnings.has(event.request.alertId)) warnings.set(event.request.alertId, event.startedAt);
    emit({ kind: 'warning', alertId: event.request.alertId, text: event.request.text, wavPath: event.request.wavPath, startedAt: event.startedAt });
  });
  emit({ kind: 'ready', rtspUrl: server.url(), brokerUrl: embeddedBroker ? broker.url : mqtt.url, embeddedBroker, audio });

  const camera = controller.cameras()[0];
  const endedBy = await Promise.race([
    footageEnd(camera),
    options.interrupted.then(() => 'interrupted' as const),
    new Promise<'timeout'>((resolve) => setTimeout(() => { resolve('timeout'); }, MAX_RUN_MS).unref()),
  ]);
  log.info({ endedBy }, 'footage over; draining');
  if (endedBy !== 'interrupted') await drained(controller, centre, () => playing > 0, Promise.race([options.interrupted, delay(DRAIN_MS)]));

  const statuses = controller.cameras().map((worker) => worker.status());
  const raised = controller.store.db.prepare('SELECT COUNT(*) AS n FROM alerts').get() as { n: number };
  await controller.stop();
  await centre.stop();
  if (embeddedBroker) await broker.stop();
  await server.stop();

  const received = centre.alerts();
  const summary: DemoSummary = {
    endedBy,
    frames: statuses.reduce((sum, s) => sum + s.processed, 0),
    detectorRuns: statuses.reduce((sum, s) => sum + s.detectorRuns, 0),
    detections: statuses.reduce((sum, s) => sum + s.detections, 0),
    alertsRaised: raised.n,
    alertsDelivered: received.length,
    duplicateDeliveries: received.reduce((sum, a) => sum + a.deliveries - 1, 0),
    invalidPayloads: centre.invalid,
    snapshotsReceived: received.filter((a) => a.snapshotBytes !== undefined).length,
    warningsSpoken: spoken,
    audio,
    database: join(storeDir, 'huxiao.db'),
    snapshotsDir: join(storeDir, 'snapshots'),
    audioDir: join(options.out, 'audio'),
    timings: received.map((alert) => ({
      id: alert.id,
      type: alert.type,
      zone: alert.zone,
      trackId: alert.trackId,
      firstSeenMedia: mediaOf(alert.firstSeenAt),
      decidedMedia: mediaOf(alert.decidedAt),
      toCommitMs: alert.raisedAt - alert.firstSeenAt,
      toWarningMs: warningAfter(warnings.get(alert.id), alert.firstSeenAt),
      toCentreMs: alert.receivedAt - alert.firstSeenAt,
    })),
  };
  emit({ kind: 'summary', summary });
  return summary;
}

function warningAfter(startedAt: number | undefined, from: number): number | undefined {
  return startedAt === undefined ? undefined : startedAt - from;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The server plays the file once per session: after streaming, the camera leaving "streaming" is the end of the footage. */
function footageEnd(camera: CameraWorker | undefined): Promise<'footage-end'> {
  return new Promise((resolve) => {
    if (camera === undefined) {
      resolve('footage-end');
      return;
    }
    let streamed = false;
    const unsubscribe = camera.onState((status) => {
      if (status.state === 'streaming') streamed = true;
      else if (streamed) {
        unsubscribe();
        resolve('footage-end');
      }
    });
  });
}

/** Waits until every committed alert reached the centre with its snapshot and the speaker is quiet, or `limit`. */
async function drained(controller: Controller, centre: Centre, speaking: () => boolean, limit: Promise<unknown>): Promise<void> {
  const state = { over: false };
  void limit.then(() => { state.over = true; });
  while (!state.over) {
    const depth = controller.store.outbox.depth();
    const alerts = centre.alerts();
    if (depth.depth === 0 && alerts.every((a) => a.snapshotBytes !== undefined) && !speaking()) return;
    await delay(200);
  }
}
