import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PlaybackEvent } from '../../../edge/actions/player.js';
import { parseConfig } from '../../../edge/config/load.js';
import { Controller } from '../../../edge/controller.js';
import { DETECT_REASONS } from '../../../edge/perception.js';
import { RULE_TYPES, SEVERITIES } from '../../../edge/config/rule-vocabulary.js';
import type { RuleHit } from '../../../edge/rules/hit.js';
import { footageMp4 } from '../../helpers/footage.js';
import { freePort } from '../../helpers/ports.js';
import { parseExposition, sampleValue, type Sample } from '../../helpers/prometheus.js';
import { RtspTestServer } from '../../helpers/rtsp-server.js';
import { soundSink } from '../../helpers/sound-sink.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait.js';

/** A name as it could reach the gateway: the camera's display name, the spoken warning, an alert's details. */
const PERSON = '王小明';

/**
 * /metrics and /healthz of a started gateway over real HTTP: the RTSP test camera, ffmpeg, the committed detector,
 * SQLite on disk, espeak-ng and aplay into the sound sink.
 */
describe('/metrics and /healthz of a running gateway', { timeout: 180_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let rtsp: RtspTestServer;
  let controller: Controller;
  let base: string;

  const scrape = async (): Promise<Sample[]> => {
    const response = await fetch(`${base}/metrics`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    return parseExposition(await response.text());
  };
  const hit = (trackId: number): RuleHit => ({
    kind: 'hit', rule: 'yard-intrusion', type: 'intrusion', severity: 'critical', camera: 'gate', zone: 'yard',
    trackId, firstSeenAt: Date.now(), decidedAt: Date.now(), frameSeq: 1, details: { name: PERSON },
  });

  before(async () => {
    dir = await tempDir('metrics');
    rtsp = new RtspTestServer({ file: await footageMp4(), port: await freePort() });
    await rtsp.start();
    const port = await freePort();
    base = `http://127.0.0.1:${String(port)}`;
    const sink = soundSink(dir.path, 'speaker');
    const config = parseConfig(JSON.stringify({
      gateway: { id: 'gw-metrics' },
      cameras: [{
        id: 'gate', name: `${PERSON}家门口`, url: rtsp.url(), detect: { width: 384, height: 288, fps: 5 },
        reconnect: { initialDelayMs: 200, maxDelayMs: 1000, stallTimeoutSeconds: 2 },
        // Nothing in the footage is an airplane: the only alerts are the ones this test raises.
        zones: [{ id: 'yard', polygon: [[0, 0], [384, 0], [384, 288], [0, 288]], labels: ['airplane'] }],
      }],
      rules: [{ id: 'yard-intrusion', type: 'intrusion', camera: 'gate', zone: 'yard', severity: 'critical', cooldownSeconds: 600, actions: ['yard-warning'] }],
      actions: [{ id: 'yard-warning', type: 'voice', template: `${PERSON}同学，请离开！`, repeatSeconds: 600, maxRepeats: 1 }],
      storage: { dir: join(dir.path, 'store') },
      audio: { device: sink.device, chime: { enabled: false }, cache: { dir: join(dir.path, 'audio') } },
      web: { host: '127.0.0.1', port },
    }), 'metrics.yaml');
    controller = new Controller({ config });
    await controller.start();
  });

  after(async () => {
    await controller.stop();
    await rtsp.stop();
    await dir.remove();
  });

  it('reports the camera\'s frames, growing between scrapes, and the detector\'s latency', async () => {
    await waitFor('/healthz ready', () => controller.operations?.health.evaluate().ready === true);
    const first = await scrape();
    const framesBefore = sampleValue(first, 'huxiao_camera_frames_received_total', { camera: 'gate' }) ?? 0;
    assert.ok(framesBefore > 0, `frames received ${String(framesBefore)}`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const second = await scrape();
    const framesAfter = sampleValue(second, 'huxiao_camera_frames_received_total', { camera: 'gate' }) ?? 0;
    assert.ok(framesAfter > framesBefore, `frames ${String(framesBefore)} -> ${String(framesAfter)}`);
    const status = controller.cameras()[0]?.status();
    assert.ok(status !== undefined && status.frames >= framesAfter);
    assert.ok((sampleValue(second, 'huxiao_camera_frames_processed_total', { camera: 'gate' }) ?? 0) > 0);
    assert.equal(sampleValue(second, 'huxiao_camera_state', { camera: 'gate', state: 'streaming' }), 1);
    assert.equal(sampleValue(second, 'huxiao_camera_state', { camera: 'gate', state: 'refused' }), 0);

    const detector = controller.vision.health().find((model) => model.role === 'detector')?.model ?? '';
    const runs = sampleValue(second, 'huxiao_camera_detector_runs_total', { camera: 'gate' }) ?? 0;
    const histogramCount = sampleValue(second, 'huxiao_inference_run_seconds_count', { model: detector }) ?? 0;
    const completed = sampleValue(second, 'huxiao_inference_runs_total', { model: detector, outcome: 'completed' }) ?? 0;
    assert.ok(runs > 0 && histogramCount > 0, `detector runs ${String(runs)}, histogram count ${String(histogramCount)}`);
    assert.ok(histogramCount <= completed, 'the histogram saw runs the session counted');
    // The scheduler's view: people walk over the whole-picture intrusion zone, so the rules want every frame.
    assert.equal(sampleValue(second, 'huxiao_camera_detect_wanted_hz', { camera: 'gate' }), 5);
    assert.ok((sampleValue(second, 'huxiao_camera_detect_hz', { camera: 'gate' }) ?? 0) > 0);
    assert.ok([0, 1].includes(sampleValue(second, 'huxiao_camera_detect_below_need', { camera: 'gate' }) ?? -1));
    const processed = sampleValue(second, 'huxiao_camera_frames_processed_total', { camera: 'gate' }) ?? 0;
    const decided = second.filter((sample) => sample.name === 'huxiao_camera_detect_decisions_total' && sample.labels.camera === 'gate').reduce((sum, sample) => sum + sample.value, 0);
    assert.ok(Math.abs(decided - processed) <= 2, `frames by reason ${String(decided)}, processed ${String(processed)}`);
    assert.ok((sampleValue(second, 'huxiao_camera_detect_decisions_total', { camera: 'gate', reason: 'zone-activity' }) ?? 0) > 0);
    assert.equal(sampleValue(second, 'huxiao_inference_run_seconds_bucket', { model: detector, le: '+Inf' }), histogramCount);
    assert.equal(sampleValue(second, 'huxiao_model_loaded', { role: 'detector', model: detector }), 1);
    assert.equal(sampleValue(second, 'huxiao_health', { probe: 'ready' }), 1);
    assert.ok((sampleValue(second, 'process_cpu_user_seconds_total') ?? 0) > 0, 'the process defaults are there');
    assert.ok(second.some((sample) => sample.name === 'nodejs_eventloop_lag_p99_seconds'));
  });

  it('counts alerts and rule hits by type, and shows the outbox backlog the store holds', async () => {
    const before = await scrape();
    assert.equal(sampleValue(before, 'huxiao_alerts_total', { type: 'intrusion' }), 0);
    const played = new Promise<PlaybackEvent & { kind: 'end' }>((resolve) => {
      controller.actions.onPlayback((event) => {
        if (event.kind === 'end') resolve(event);
      });
    });
    const alert = controller.alerts.raise(hit(7));
    controller.alerts.raise(hit(7));
    const after = await scrape();
    assert.equal(sampleValue(after, 'huxiao_alerts_total', { type: 'intrusion' }), 1);
    assert.equal(sampleValue(after, 'huxiao_rule_hits_total', { type: 'intrusion' }), 2, 'the repeat within the cooldown is a hit, not an alert');
    assert.equal(sampleValue(after, 'huxiao_alerts_total', { type: 'dwell' }), 0);

    const { depth, emergencyDepth } = controller.store.outbox.depth();
    assert.ok(depth >= 1);
    assert.equal(sampleValue(after, 'huxiao_outbox_depth', { lane: 'normal' }), depth - emergencyDepth);
    assert.equal(sampleValue(after, 'huxiao_outbox_depth', { lane: 'emergency' }), emergencyDepth);
    const age = sampleValue(after, 'huxiao_outbox_oldest_age_seconds', { lane: 'normal' }) ?? -1;
    const oldest = controller.store.outbox.oldestPendingAt(1) ?? 0;
    assert.ok(age >= 0 && age <= (Date.now() - oldest) / 1000, `oldest undelivered ${String(age)} s`);
    assert.equal(sampleValue(after, 'huxiao_outbox_oldest_age_seconds', { lane: 'emergency' }), 0);
    assert.equal(sampleValue(after, 'huxiao_store_bytes', { part: 'database' }), controller.store.fileBytes());
    assert.equal(sampleValue(after, 'huxiao_store_quota_bytes'), 2048 * 1024 * 1024);

    const end = await played;
    assert.equal(end.outcome, 'completed', end.error);
    controller.alerts.acknowledge(alert.id, { by: 'installer' });
    const acknowledged = await scrape();
    assert.equal(sampleValue(acknowledged, 'huxiao_voice_plays_total', { priority: end.request.priority, outcome: 'completed' }), 1);
    assert.equal(sampleValue(acknowledged, 'huxiao_alert_changes_total', { type: 'intrusion', event: 'acknowledged' }), 1);
  });

  it('labels only with camera ids, model names, types and outcomes: no name ever becomes a label', async () => {
    const samples = await scrape();
    const models = new Set(controller.vision.health().flatMap((model) => (model.model === undefined ? [] : [model.model])));
    const allowed: Readonly<Record<string, (value: string) => boolean>> = {
      camera: (value) => value === 'gate',
      model: (value) => models.has(value) || value === 'none',
      role: (value) => ['detector', 'face-detector', 'face-embedder'].includes(value),
      type: (value) => (RULE_TYPES as readonly string[]).includes(value) || value === 'emergency',
      severity: (value) => (SEVERITIES as readonly string[]).includes(value),
      event: (value) => ['cleared', 'acknowledged', 'resolved', 'expired'].includes(value),
      lane: (value) => ['emergency', 'normal'].includes(value),
      priority: (value) => ['normal', 'high', 'emergency'].includes(value),
      outcome: (value) => ['completed', 'failed', 'preempted', 'cancelled', 'dropped'].includes(value),
      state: () => true,
      reason: (value) => ['pool', 'superseded', ...DETECT_REASONS].includes(value),
      part: (value) => ['database', 'snapshots'].includes(value),
      probe: (value) => ['live', 'ready'].includes(value),
      le: (value) => value === '+Inf' || Number.isFinite(Number(value)),
      version: (value) => /^\d+\.\d+\.\d+/.test(value),
    };
    const ours = samples.filter((sample) => sample.name.startsWith('huxiao_'));
    assert.ok(ours.length > 30);
    const unexpected = ours.flatMap((sample) => Object.entries(sample.labels).filter(([key, value]) => allowed[key]?.(value) !== true).map(([key, value]) => `${sample.name}{${key}="${value}"}`));
    assert.deepEqual(unexpected, []);
    assert.deepEqual(samples.filter((sample) => Object.values(sample.labels).some((value) => value.includes(PERSON))), []);
  });

  it('answers /healthz/live and /healthz with the report, on the configured address only', async () => {
    const live = await fetch(`${base}/healthz/live`);
    assert.equal(live.status, 200);
    const report = (await live.json()) as { live: boolean; ready: boolean; checks: { name: string; verdict: string }[] };
    assert.deepEqual(report.checks.map((check) => `${check.name}:${check.verdict}`), ['event-loop:ok', 'store:ok', 'detector:ok', 'camera:ok']);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.deepEqual(controller.operations?.urls(), [base]);
  });
});

