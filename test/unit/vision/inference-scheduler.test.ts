import '../../helpers/quiet.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InferenceScheduler, type InferenceJob, type Urgency } from '../../../edge/vision/inference-scheduler.js';

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

  it('serves fence activity before presence and presence before stationary re-checks', () => {
    const scheduler = new InferenceScheduler({ budgetMsPerSecond: 600 });
    const runs = drive(
      scheduler,
      [urgent('fence'), { camera: 'crowd', urgency: 'normal', intervalMs: 200 }, { camera: 'post', urgency: 'low', intervalMs: 200 }],
      0,
      20_000,
    );
    assert.equal(runs.get('fence'), 100, 'the fence camera gets every frame it asks for');
    assert.ok(Math.abs((runs.get('crowd') ?? 0) - 20) <= 3, `presence gets the 100 ms/s left: ${String(runs.get('crowd'))}`);
    assert.ok((runs.get('post') ?? 0) <= 2, `the stationary re-check waits: ${String(runs.get('post'))}`);
    const shares = new Map(scheduler.shares(20_000).map((s) => [s.camera, s]));
    assert.deepEqual([shares.get('fence')?.limited, shares.get('crowd')?.limited, shares.get('post')?.limited], [false, true, true]);
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
