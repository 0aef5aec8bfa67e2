import '../../helpers/quiet.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferenceScheduler, TIER_FLOORS, type InferenceJob, type Urgency } from '../../../edge/vision/inference-scheduler.js';

interface Asker {
  readonly camera: string;
  readonly urgency: Urgency;
  readonly intervalMs: number;
  /** Asks only while this holds (ms of the fake clock). */
  readonly until?: number;
}

/**
 * Drives the scheduler with a fake clock: each camera asks for a detector run every `intervalMs` (as perception does
 * when its rules' interval has passed or, refused, on its next frame every 200 ms). Returns the runs admitted per camera.
 */
function drive(scheduler: InferenceScheduler, askers: readonly Asker[], fromMs: number, toMs: number): Map<string, number> {
  const admitted = new Map(askers.map((a) => [a.camera, 0]));
  const lastRun = new Map<string, number>();
  for (let now = fromMs; now < toMs; now += 200) {
    for (const a of askers) {
      if (a.until !== undefined && now >= a.until) continue;
      if (now - (lastRun.get(a.camera) ?? Number.NEGATIVE_INFINITY) < a.intervalMs - 100) continue;
      const job: InferenceJob = { camera: a.camera, model: 'detector', urgency: a.urgency, intervalMs: a.intervalMs, costMs: 100 };
      if (scheduler.admit(job, now)) {
        lastRun.set(a.camera, now);
        admitted.set(a.camera, (admitted.get(a.camera) ?? 0) + 1);
      }
    }
  }
  return admitted;
}

const urgent = (camera: string): Asker => ({ camera, urgency: 'urgent', intervalMs: 200 });

describe('inference scheduler', () => {
  it('without a budget admits every run asked for (replay)', () => {
    const scheduler = new InferenceScheduler();
    const runs = drive(scheduler, [urgent('a'), urgent('b'), urgent('c')], 0, 10_000);
    assert.deepEqual([...runs.values()], [50, 50, 50]);
    assert.ok(scheduler.shares(10_000).every((s) => !s.limited && s.wantHz === 5 && s.grantHz === 5));
  });

  it('over budget cuts every camera to the same share and reports each as limited', () => {
    const scheduler = new InferenceScheduler({ budgetMsPerSecond: 600 });
    // Three fence cameras wanting 5 runs/s of 100 ms: 1500 ms/s asked of 600, so 2 runs/s each.
    const runs = drive(scheduler, [urgent('a'), urgent('b'), urgent('c')], 0, 20_000);
    for (const [camera, count] of runs) assert.ok(Math.abs(count - 40) <= 4, `${camera}: ${String(count)} runs in 20 s`);
    for (const share of scheduler.shares(20_000)) {
      assert.equal(share.limited, true, share.camera);
      assert.equal(share.wantHz, 5);
      assert.equal(share.grantHz, 2);
      assert.ok(Math.abs(share.ranHz - 2) <= 0.2, JSON.stringify(share));
    }
  });

  it('gives a camera asking little all it asks and shares the rest evenly (max-min fairness)', () => {
    const scheduler = new InferenceScheduler({ budgetMsPerSecond: 600 });
    const runs = drive(scheduler, [{ camera: 'quiet', urgency: 'urgent', intervalMs: 1000 }, urgent('busy1'), urgent('busy2')], 0, 20_000);
    assert.equal(runs.get('quiet'), 20, 'its 1 run/s, every one');
    // The 500 ms/s left is split: 2.5 runs/s each.
    for (const camera of ['busy1', 'busy2']) assert.ok(Math.abs((runs.get(camera) ?? 0) - 50) <= 5, `${camera}: ${String(runs.get(camera))}`);
    const shares = new Map(scheduler.shares(20_000).map((s) => [s.camera, s]));
    assert.equal(shares.get('quiet')?.limited, false);
    assert.equal(shares.get('busy1')?.grantHz, 2.5);
  });

  it('serves fence activity before presence and presence before stationary re-checks, each tier below keeping its floor', () => {
    const scheduler = new InferenceScheduler({ budgetMsPerSecond: 600 });
    const runs = drive(
      scheduler,
      [urgent('fence'), { camera: 'crowd', urgency: 'normal', intervalMs: 200 }, { camera: 'post', urgency: 'low', intervalMs: 200 }],
      0,
      20_000,
    );
    // Each tier asks 500 ms/s of 600: presence and the re-checks keep their floors (60 ms/s each), the fence the rest.
    assert.deepEqual([TIER_FLOORS.normal, TIER_FLOORS.low], [0.1, 0.1]);
    assert.ok((runs.get('fence') ?? 0) >= 96, `the fence camera gets 480 of its 500 ms/s: ${String(runs.get('fence'))} of 100 frames`);
    for (const camera of ['crowd', 'post']) assert.ok(Math.abs((runs.get(camera) ?? 0) - 12) <= 3, `${camera} gets its tier's floor: ${String(runs.get(camera))}`);
    const shares = new Map(scheduler.shares(20_000).map((s) => [s.camera, s]));
    assert.deepEqual([shares.get('fence')?.limited, shares.get('crowd')?.limited, shares.get('post')?.limited], [true, true, true]);
    assert.equal(shares.get('fence')?.grantHz, 4.8);
  });

  it('gives a tier what the tiers above leave beyond the floors below, and a floor nobody asks for to the others', () => {
    const scheduler = new InferenceScheduler({ budgetMsPerSecond: 600 });
    const fence: Asker = { camera: 'fence', urgency: 'urgent', intervalMs: 400 };
    const runs = drive(scheduler, [fence, { camera: 'crowd', urgency: 'normal', intervalMs: 200 }, { camera: 'post', urgency: 'low', intervalMs: 200 }], 0, 20_000);
    // The fence asks 250 ms/s and gets it all; presence the 350 left less the re-checks' 60; they the 60.
    assert.equal(runs.get('fence'), 50);
    assert.ok(Math.abs((runs.get('crowd') ?? 0) - 58) <= 3, `crowd: ${String(runs.get('crowd'))}`);
    assert.ok(Math.abs((runs.get('post') ?? 0) - 12) <= 3, `post: ${String(runs.get('post'))}`);
    // Without re-checks asking, nothing is held for them: the fence gets all it asks and presence all the rest.
    const alone = new InferenceScheduler({ budgetMsPerSecond: 600 });
    const two = drive(alone, [urgent('fence'), { camera: 'crowd', urgency: 'normal', intervalMs: 200 }], 0, 20_000);
    assert.equal(two.get('fence'), 100);
    assert.ok(Math.abs((two.get('crowd') ?? 0) - 20) <= 3, `crowd: ${String(two.get('crowd'))}`);
  });

  it('hands a camera that stopped asking its share back to the others', () => {
    const scheduler = new InferenceScheduler({ budgetMsPerSecond: 500 });
    drive(scheduler, [{ ...urgent('gone'), until: 10_000 }, urgent('stays')], 0, 10_000);
    const after = drive(scheduler, [urgent('stays')], 12_000, 22_000);
    assert.ok(Math.abs((after.get('stays') ?? 0) - 50) <= 1, `all 5 runs/s once alone: ${String(after.get('stays'))}`);
    assert.deepEqual(scheduler.shares(22_000).map((s) => [s.camera, s.wantHz]), [['gone', 0], ['stays', 5]]);
  });

  it('charges the learnt run time of a model when a job names no cost', () => {
    const scheduler = new InferenceScheduler({ budgetMsPerSecond: 500 });
    scheduler.observe('detector', 250);
    scheduler.observe('detector', 250);
    let admitted = 0;
    for (let now = 0; now < 10_000; now += 200) if (scheduler.admit({ camera: 'a', model: 'detector', urgency: 'urgent', intervalMs: 200 }, now)) admitted += 1;
    // 500 ms/s of 250 ms runs: 2 per second.
    assert.ok(Math.abs(admitted - 20) <= 2, `admitted ${String(admitted)}`);
  });
});
