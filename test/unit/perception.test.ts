import '../helpers/quiet.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../edge/config/load.js';
import type { Frame } from '../../edge/ingest/frame.js';
import { Perception, type PerceptionResult } from '../../edge/perception.js';
import type { Box } from '../../edge/geometry/geometry.js';
import type { Detection, ObjectDetector } from '../../edge/vision/detection.js';
import { InferenceScheduler } from '../../edge/vision/inference-scheduler.js';

const W = 320;
const H = 240;
const config = parseConfig(
  `
gateway: { id: gw, timezone: UTC }
cameras:
  - id: cam
    url: rtsp://10.0.0.2/s
    detect: { width: ${W}, height: ${H}, fps: 10 }
    zones: [{ id: right, polygon: [[0.5, 0], [1, 0], [1, 1], [0.5, 1]] }]
rules:
  - { id: enter-right, type: intrusion, camera: cam, zone: right }
`,
  'test.yaml',
);

/** The person's box at frame i: walks from x=20 to the right, 6 px per frame. */
const boxAt = (i: number): Box => ({ x1: 20 + i * 6, y1: 80, x2: 50 + i * 6, y2: 200 });

function frame(i: number): Frame {
  const data = Buffer.alloc(W * H * 3, 70);
  const b = boxAt(i);
  for (let y = b.y1; y < b.y2; y++) data.fill(220, (y * W + b.x1) * 3, (y * W + b.x2) * 3);
  return { camera: 'cam', seq: i, ts: 1_000_000 + i * 100, width: W, height: H, data, retain: () => undefined, release: () => undefined };
}

/** Stands in for the neural network only: reports the bright box it was painted as, if the search region holds it. */
class PaintedDetector implements ObjectDetector {
  calls = 0;
  detect(image: { width: number; data: Buffer }, options: { roi?: Box } = {}): Promise<Detection[]> {
    this.calls += 1;
    const found: Detection[] = [];
    for (let i = 0; i < 60; i++) {
      const b = boxAt(i);
      const inside = options.roi === undefined || (b.x1 >= options.roi.x1 && b.x2 <= options.roi.x2);
      if (inside && image.data[((b.y1 + 1) * image.width + b.x1 + 1) * 3] === 220 && image.data[((b.y1 + 1) * image.width + b.x1 - 1) * 3] !== 220) {
        found.push({ label: 'person', classId: 0, score: 0.9, box: b });
      }
    }
    return Promise.resolve(found);
  }
}

async function replay(frames: number): Promise<{ results: PerceptionResult[]; calls: number }> {
  const detector = new PaintedDetector();
  const camera = config.cameras[0];
  assert.ok(camera);
  const perception = new Perception({ camera, rules: config.rules, detector, timezone: config.gateway.timezone });
  perception.start();
  const results: PerceptionResult[] = [];
  for (let i = 0; i < frames; i++) {
    const f = frame(i);
    results.push(await perception.process(f));
    f.data.fill(0);
  }
  perception.stop();
  return { results, calls: detector.calls };
}

/** A person painted standing at `box` for `frames` frames at 10 fps: when the detector ran, and each frame's result. */
async function standStill(box: Box, frames: number, scheduler?: InferenceScheduler, onFrame?: (ts: number) => void): Promise<{ calls: number[]; results: PerceptionResult[] }> {
  const camera = config.cameras[0];
  assert.ok(camera);
  const detector = new PaintedDetector();
  const calls: number[] = [];
  let ts = 0;
  const counted: ObjectDetector = { detect: (image, options) => { calls.push(ts); return detector.detect(image, options); } };
  const perception = new Perception({ camera, rules: config.rules, detector: counted, timezone: 'UTC', ...(scheduler === undefined ? {} : { scheduler }) });
  perception.start();
  const data = Buffer.alloc(W * H * 3, 70);
  for (let y = box.y1; y < box.y2; y++) data.fill(220, (y * W + box.x1) * 3, (y * W + box.x2) * 3);
  const results: PerceptionResult[] = [];
  for (let i = 0; i < frames; i++) {
    ts = i * 100;
    results.push(await perception.process({ camera: 'cam', seq: i, ts, width: W, height: H, data, retain: () => undefined, release: () => undefined }));
    onFrame?.(ts);
  }
  perception.stop();
  return { calls, results };
}

describe('perception pipeline', () => {
  it('tracks the walker with one id and hits once when it enters the zone, with its own copy of the frame', async () => {
    const { results } = await replay(40);
    const ids = new Set(results.flatMap((r) => r.tracks.map((t) => t.id)));
    assert.deepEqual([...ids], [1]);
    const hits = results.flatMap((r) => r.events).filter((e) => e.kind === 'hit');
    assert.equal(hits.length, 1);
    const hit = hits[0];
    // Feet (bottom-centre x = 35 + 6i) reach x = 160 at i = 21; three frames of inertia decide at frame 23.
    assert.equal(hit?.frameSeq, 23);
    assert.equal(hit.firstSeenAt, 1_000_000 + 21 * 100);
    assert.equal(hit.frame?.data[((81 * W) + 20 + 23 * 6 + 1) * 3], 220, 'the copy survives the pooled buffer being reused');
  });

  it('gives the same results for the same frames', async () => {
    const strip = (r: PerceptionResult) => ({ ...r, events: r.events.map((e) => (e.kind === 'hit' ? { ...e, frame: undefined } : e)) });
    const a = await replay(30);
    const b = await replay(30);
    assert.deepEqual(a.results.map(strip), b.results.map(strip));
  });

  it('takes new rules on the running tracker: the track keeps its id and a rule added mid-way fires', async () => {
    const camera = config.cameras[0];
    assert.ok(camera);
    const reloaded = parseConfig(
      `
gateway: { id: gw, timezone: UTC }
cameras: [{ id: cam, url: rtsp://10.0.0.2/s, detect: { width: ${W}, height: ${H}, fps: 10 }, zones: [{ id: right, polygon: [[0.5, 0], [1, 0], [1, 1], [0.5, 1]] }] }]
rules:
  - { id: enter-right, type: intrusion, camera: cam, zone: right }
  - { id: stay-right, type: dwell, camera: cam, zone: right, seconds: 0.5 }
`,
      'reloaded.yaml',
    );
    const perception = new Perception({ camera, rules: config.rules, detector: new PaintedDetector(), timezone: 'UTC' });
    perception.start();
    const results: PerceptionResult[] = [];
    for (let i = 0; i < 40; i++) {
      if (i === 10) perception.updateRules(reloaded.rules);
      results.push(await perception.process(frame(i)));
    }
    assert.deepEqual([...new Set(results.flatMap((r) => r.tracks.map((t) => t.id)))], [1]);
    const hits = results.flatMap((r) => r.events).flatMap((e) => (e.kind === 'hit' ? [`${e.rule}@${String(e.frameSeq)}`] : []));
    // In the zone from frame 21 (the intrusion decides at 23), for 0.5 s: the dwell decides at frame 26.
    assert.deepEqual(hits, ['enter-right@23', 'stay-right@26']);
  });

  it('re-checks a person standing still every stationarySeconds, not every second, under one track id', async () => {
    const { calls, results } = await standStill({ x1: 200, y1: 80, x2: 230, y2: 200 }, 300);
    // Three runs confirm the track, one a second until it is stationary (3 s after it was first seen), then one every
    // 10 s counted from the last look (2.2 s).
    assert.deepEqual(calls, [0, 100, 200, 1200, 2200, 12200, 22200]);
    assert.deepEqual([...new Set(results.flatMap((r) => r.tracks.map((t) => t.id)))], [1]);
    const reasons = new Set(results.map((r) => r.reason));
    assert.ok(reasons.has('stationary'), [...reasons].join(', '));
  });

  it('keeps looking every second at a person standing still one step outside the intrusion zone', async () => {
    // The zone starts at x = 160; feet at x = 107, 53 px away, the box 38 px (the nearness margin is 0.2 x 240 = 48 px).
    const { calls } = await standStill(boxAt(12), 100);
    assert.deepEqual(calls, [0, 100, 200, 1200, 2200, 3200, 4200, 5200, 6200, 7200, 8200, 9200]);
  });

  it('asks the scheduler for one re-check per redetectSeconds (stationarySeconds), not for every frame', async () => {
    const scheduler = new InferenceScheduler();
    const wantHz = new Map<number, number | undefined>();
    await standStill({ x1: 200, y1: 80, x2: 230, y2: 200 }, 131, scheduler, (ts) => {
      if (ts === 2500 || ts === 13_000) wantHz.set(ts, scheduler.shares(ts).find((share) => share.camera === 'cam')?.wantHz);
    });
    // Confirmed at 0.2 s, looked at again at 1.2 and 2.2 s (a look a second), then stationary: 12.2 s (one in 10 s).
    // Asking at the camera's 10 fps for them would claim ten times the share of the budget that the camera uses.
    assert.deepEqual([...wantHz], [[2500, 1], [13_000, 0.1]]);
  });
});
