import '../../helpers/quiet.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admittedFaceWork, faceAccount, type FaceWork, type HeadCrop } from '../../../edge/identity/head-face.js';
import { InferenceScheduler, type InferenceJob } from '../../../edge/vision/inference-scheduler.js';

const CAMERA = 'pond';
const crop: HeadCrop = { image: { width: 1, height: 1, data: Buffer.alloc(3) }, region: { x1: 0, y1: 0, x2: 1, y2: 1 }, person: { x1: 0, y1: 0, x2: 1, y2: 1 } };

/** Fence detection on the camera: urgent, 50 ms a run, every `intervalMs`. */
const fence = (intervalMs: number): InferenceJob => ({ camera: CAMERA, model: 'detector', urgency: 'urgent', intervalMs, costMs: 50 });

/** The face models' work stands in here: the unit is the admission in front of it; it counts the runs let through. */
function counted(): { work: FaceWork; runs: number[] } {
  const runs: number[] = [];
  return { runs, work: async (_crop, at) => { runs.push(at); return Promise.resolve('no-face' as const); } };
}

/**
 * Runs `ms` of a camera at 10 fps: the detector asks on every frame it is due (every `detectEveryMs`), face work
 * every 400 ms (a track to identify) when `faces` is set. Returns the frames the detector was admitted on and what
 * the face asks came to.
 */
async function run(scheduler: InferenceScheduler, options: { from: number; ms: number; detectEveryMs?: number; faces?: FaceWork }): Promise<{ detected: number[]; faces: string[] }> {
  const detected: number[] = [];
  const faces: string[] = [];
  for (let at = options.from; at < options.from + options.ms; at += 100) {
    const { detectEveryMs } = options;
    if (detectEveryMs !== undefined && (at - options.from) % detectEveryMs === 0 && scheduler.admit(fence(detectEveryMs), at)) detected.push(at);
    if (options.faces !== undefined && (at - options.from) % 400 === 0) {
      const result = await options.faces(crop, at, CAMERA);
      faces.push(typeof result === 'string' ? result : 'view');
    }
  }
  return { detected, faces };
}

describe('face work admitted by the inference scheduler', () => {
  it('is refused while urgent fence detection takes the whole budget, and the detector gets every frame it got without faces', async () => {
    const budget = { budgetMsPerSecond: 100 };
    const alone = await run(new InferenceScheduler(budget), { from: 1000, ms: 3000, detectEveryMs: 100 });

    const scheduler = new InferenceScheduler(budget);
    const face = counted();
    const work = admittedFaceWork(face.work, scheduler);
    // Before the fence needs the detector, the face account's first run is admitted (nothing else asks).
    assert.equal(await work(crop, 0, CAMERA), 'no-face');
    const busy = await run(scheduler, { from: 1000, ms: 3000, detectEveryMs: 100, faces: work });
    // The first ask spends what the face account saved while it was alone (its own tokens, not the detector's).
    assert.equal(busy.faces[0], 'no-face');
    assert.ok(busy.faces.length >= 7);
    assert.deepEqual(busy.faces.slice(1), busy.faces.slice(1).map(() => 'deferred'), 'no face run while detection wants more than the budget');
    assert.deepEqual(face.runs, [0, 1000]);
    assert.ok(alone.detected.length > 0 && alone.detected.length < 30, `the budget binds the detector: ${String(alone.detected.length)} of 30 frames`);
    assert.deepEqual(busy.detected, alone.detected, 'the face asks took nothing of the detector frames');

    // The fence is quiet again (its demand expires): face work is admitted.
    assert.equal(await work(crop, 7000, CAMERA), 'no-face');
    assert.deepEqual(face.runs, [0, 1000, 7000]);
  });

  it('is admitted from what fence detection leaves of the budget, without taking a detector frame', async () => {
    const scheduler = new InferenceScheduler({ budgetMsPerSecond: 100 });
    const face = counted();
    // Detection every second at 50 ms: half the budget; face work wants 125 ms/s and gets the other half.
    const shared = await run(scheduler, { from: 0, ms: 10_000, detectEveryMs: 1000, faces: admittedFaceWork(face.work, scheduler) });
    assert.equal(shared.detected.length, 10, 'every detector run admitted');
    const ran = shared.faces.filter((result) => result !== 'deferred').length;
    assert.ok(ran >= 8 && ran < shared.faces.length, `${String(ran)} of ${String(shared.faces.length)} face asks ran: about 50 ms/s of 50 ms runs`);
  });

  it('charges face runs to the camera\'s face account, never to the camera\'s own (the detector\'s next frame)', async () => {
    const asked: InferenceJob[] = [];
    const work = admittedFaceWork(counted().work, { admit: (job) => { asked.push(job); return true; } });
    await work(crop, 5, CAMERA);
    assert.deepEqual(asked, [{ camera: faceAccount(CAMERA), model: 'face-detector', urgency: 'low', intervalMs: 400 }]);
    assert.notEqual(faceAccount(CAMERA), CAMERA);
  });
});
