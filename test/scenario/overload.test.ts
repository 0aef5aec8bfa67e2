import '../helpers/quiet.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { loadConfig } from '../../edge/config/load.js';
import { replay } from '../../edge/ingest/replay.js';
import { Perception, type PerceptionResult } from '../../edge/perception.js';
import type { RuleHit } from '../../edge/rules/hit.js';
import { InferenceScheduler, type CameraShare } from '../../edge/vision/inference-scheduler.js';
import { VisionRuntime } from '../../edge/vision/runtime.js';
import { footageSource, packageRoot } from '../helpers/footage.js';

/**
 * Four pond-fence cameras on one box whose inference budget carries half of what their rules ask for: the demo's
 * config (test/fixtures/scenario/demo.md) on vtest.avi, one decode fed to four pipelines that share the real
 * detector and one scheduler. Media time is the scheduler's clock and every run is charged the scheduler's default
 * cost, so the cuts are the same on every machine. From 45 s, as the frame-skip scenarios (nobody nears the fence
 * before). Every camera must still raise both intrusions and the dwell, and the cut must show, evenly, per camera.
 */
const CAMERAS = ['fence1', 'fence2', 'fence3', 'fence4'];
/** Four cameras wanting every 200 ms frame at the default 50 ms: 1000 ms/s asked of 500. */
const BUDGET_MS_PER_SECOND = 500;
const FROM_MS = 45_000;

const seconds = (ms: number) => ms / 1000;

describe('four fence cameras over the inference budget', () => {
  const vision = new VisionRuntime({ config: loadConfig(join(packageRoot(), 'config', 'demo.yaml')).vision, roles: ['detector'] });
  const scheduler = new InferenceScheduler({ budgetMsPerSecond: BUDGET_MS_PER_SECOND });
  const results = new Map<string, PerceptionResult[]>(CAMERAS.map((id) => [id, []]));
  /** The scheduler's report while the pair walks on the lawn, as telemetry and the metrics read it. */
  let during: CameraShare[] = [];

  before(async () => {
    const config = loadConfig(join(packageRoot(), 'config', 'demo.yaml'));
    const source = config.cameras[0];
    assert.ok(source);
    await vision.start();
    const detector = vision.detector;
    assert.ok(detector, 'the detector loads');
    const pipelines = CAMERAS.map((id) => {
      const perception = new Perception({
        camera: { ...source, id },
        rules: config.rules.map((rule) => ({ ...rule, camera: id })),
        detector,
        timezone: config.gateway.timezone,
        scheduler,
      });
      perception.start();
      return { id, perception };
    });
    await replay({
      camera: source,
      input: footageSource(),
      anchor: 0,
      pipeline: async (frame) => {
        if (frame.ts < FROM_MS) return [];
        for (const { id, perception } of pipelines) results.get(id)?.push(await perception.process(frame));
        if (frame.ts === 55_000) during = scheduler.shares(frame.ts);
        return [];
      },
      write: () => Promise.resolve(),
    });
    for (const { perception } of pipelines) perception.stop();
  });

  after(() => vision.stop());

  for (const id of CAMERAS) {
    it(`${id}: both intrusions and the dwell are raised, on time`, () => {
      const hits = (results.get(id) ?? []).flatMap((r) => r.events).filter((e): e is RuleHit => e.kind === 'hit');
      const intrusions = hits.filter((h) => h.rule === 'fence-intrusion');
      assert.equal(intrusions.length, 2, JSON.stringify(intrusions.map((h) => [h.trackId, h.decidedAt])));
      assert.notEqual(intrusions[0]?.trackId, intrusions[1]?.trackId);
      for (const hit of intrusions) assert.ok(seconds(hit.decidedAt) >= 50.4 && seconds(hit.decidedAt) <= 56, `intrusion decided at ${String(seconds(hit.decidedAt))} s`);
      const dwell = hits.filter((h) => h.rule === 'fence-dwell');
      assert.equal(dwell.length, 1, JSON.stringify(dwell.map((h) => [h.trackId, h.decidedAt])));
      // 12 s after she entered (50.5-51 s) when the pair's first track stays with her, as in vtest.test.ts; 65.6 s when
      // hers starts once the two separate (demo.md). Either way under one of the two intruders' ids.
      const decided = seconds(dwell[0]?.decidedAt ?? 0);
      assert.ok(decided >= 62.5 && decided <= 68, `dwell decided at ${String(decided)} s`);
      assert.ok(intrusions.some((hit) => hit.trackId === dwell[0]?.trackId), 'the dwell is for one of the two who intruded');
    });
  }

  it('cuts every camera evenly and says so: below need, for lack of budget', () => {
    assert.deepEqual(during.map((s) => s.camera), CAMERAS);
    for (const share of during) {
      assert.equal(share.limited, true, JSON.stringify(share));
      assert.equal(share.urgency, 'urgent', 'the pair walking near the fence');
      assert.equal(share.wantHz, 5);
      assert.equal(share.grantHz, 2.5);
    }
    const runs = CAMERAS.map((id) => (results.get(id) ?? []).filter((r) => r.detectorRan).length);
    const refused = CAMERAS.map((id) => (results.get(id) ?? []).filter((r) => r.reason === 'budget').length);
    assert.ok(Math.max(...runs) - Math.min(...runs) <= 2, `detector runs per camera: ${runs.join(', ')}`);
    for (const count of refused) assert.ok(count > 40, `frames refused for budget per camera: ${refused.join(', ')}`);
  });
});
