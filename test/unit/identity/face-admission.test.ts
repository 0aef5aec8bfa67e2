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
  it('keeps the low tier\'s floor while fence detection wants more than the budget, and costs the detector no more', async () => {
    // A slower box: detection at 10 fps of 80 ms runs wants 800 ms/s of a 700 ms/s budget; a face run is 5 + 15 ms.
    const budget = { budgetMsPerSecond: 700 };
    const costs = (scheduler: InferenceScheduler): InferenceScheduler => {
      scheduler.observe('face-detector', 5);
      scheduler.observe('face-embedder', 15);
      return scheduler;
    };
    const slowFence: InferenceJob = { ...fence(100), costMs: 80 };
    const drive = async (scheduler: InferenceScheduler, faces?: FaceWork): Promise<{ detected: number; faces: string[] }> => {
      let detected = 0;
      const asked: string[] = [];
      for (let at = 0; at < 20_000; at += 100) {
        if (scheduler.admit(slowFence, at)) detected += 1;
        if (faces !== undefined && at % 400 === 0) {
          const result = await faces(crop, at, CAMERA);
          asked.push(typeof result === 'string' ? result : 'view');
        }
      }
      return { detected, faces: asked };
    };
    const alone = await drive(costs(new InferenceScheduler(budget)));
    const scheduler = costs(new InferenceScheduler(budget));
    const face = counted();
    const busy = await drive(scheduler, admittedFaceWork(face.work, scheduler));
    // 50 asks of 20 ms in 20 s: 50 ms/s, inside the low tier's 70 ms/s floor, so every one runs.
    assert.equal(busy.faces.length, 50);
    assert.ok(busy.faces.filter((r) => r === 'deferred').length <= 1, `face asks: ${JSON.stringify(busy.faces)}`);
    // Alone the detector gets its 700 ms/s (8.75 runs/s, and the first second's saved-up burst); beside the faces 650 ms/s: what they spent, not more.
    assert.ok(alone.detected >= 175 && alone.detected <= 185, `alone: ${String(alone.detected)} runs in 20 s`);
    const lost = alone.detected - busy.detected;
    assert.ok(lost >= 8 && lost <= 16, `the faces cost the detector ${String(lost)} runs of 80 ms in 20 s (they spent 1000 ms)`);
    assert.equal(scheduler.shares(20_000).find((s) => s.camera === CAMERA)?.limited, true, 'the fence camera is reported below its need');
  });

  it('is admitted from what fence detection leaves of the budget, without taking a detector frame', async () => {
    const scheduler = new InferenceScheduler({ budgetMsPerSecond: 100 });
    scheduler.observe('face-detector', 20);
    scheduler.observe('face-embedder', 30);
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
    assert.deepEqual(asked, [{ camera: faceAccount(CAMERA), model: 'face-detector', then: 'face-embedder', urgency: 'low', intervalMs: 400 }]);
    assert.notEqual(faceAccount(CAMERA), CAMERA);
  });
});
