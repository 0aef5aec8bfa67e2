import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHuxiaoError } from '../../../edge/errors.js';
import { InferenceQueue } from '../../../edge/vision/inference-queue.js';

/** A run function whose calls complete only when the test says so, recording the order inputs were run in. */
function gatedRunner(): { run: (input: string) => Promise<string>; ran: string[]; finish(): void } {
  const ran: string[] = [];
  const waiting: (() => void)[] = [];
  return {
    ran,
    run: (input) =>
      new Promise((resolve) => {
        ran.push(input);
        waiting.push(() => {
          resolve(`out:${input}`);
        });
      }),
    finish: () => {
      waiting.shift()?.();
    },
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function settled(promise: Promise<string>): Promise<string> {
  try {
    return await promise;
  } catch (error) {
    return isHuxiaoError(error) ? error.code : 'other';
  }
}

describe('InferenceQueue', () => {
  it('runs one request at a time and serves cameras round robin', async () => {
    const runner = gatedRunner();
    const queue = new InferenceQueue({ name: 'm', capacity: 10, run: runner.run });
    const results = [
      queue.submit('a', 'a1'),
      queue.submit('a', 'a2'),
      queue.submit('a', 'a3'),
      queue.submit('b', 'b1'),
      queue.submit('b', 'b2'),
    ];
    assert.deepEqual(runner.ran, ['a1']);
    for (let i = 0; i < 5; i += 1) {
      runner.finish();
      await tick();
    }
    assert.deepEqual(runner.ran, ['a1', 'b1', 'a2', 'b2', 'a3']);
    assert.deepEqual(await Promise.all(results), ['out:a1', 'out:a2', 'out:a3', 'out:b1', 'out:b2']);
    const stats = queue.stats();
    assert.equal(stats.completed, 5);
    assert.equal(stats.pending, 0);
    assert.equal(stats.runMs.count, 5);
  });

  it('drops the oldest pending frame of the same camera when full (latest frame wins) and counts it', async () => {
    const runner = gatedRunner();
    const queue = new InferenceQueue({ name: 'm', capacity: 2, run: runner.run });
    const first = queue.submit('a', 'a1'); // running, not pending
    const a2 = settled(queue.submit('a', 'a2'));
    const b1 = settled(queue.submit('b', 'b1'));
    const a3 = settled(queue.submit('a', 'a3')); // full: a2 is dropped, not b1
    assert.equal(await a2, 'INFERENCE_DROPPED');
    assert.deepEqual(queue.stats().dropped, { a: 1 });
    for (let i = 0; i < 3; i += 1) {
      runner.finish();
      await tick();
    }
    assert.equal(await first, 'out:a1');
    assert.equal(await b1, 'out:b1');
    assert.equal(await a3, 'out:a3');
    assert.deepEqual(runner.ran, ['a1', 'b1', 'a3']);
  });

  it('when the submitting camera has nothing pending, drops from the camera with the longest backlog', async () => {
    const runner = gatedRunner();
    const queue = new InferenceQueue({ name: 'm', capacity: 3, run: runner.run });
    void queue.submit('a', 'a0');
    const a1 = settled(queue.submit('a', 'a1'));
    void settled(queue.submit('a', 'a2'));
    void settled(queue.submit('b', 'b1'));
    void settled(queue.submit('c', 'c1'));
    assert.equal(await a1, 'INFERENCE_DROPPED');
    assert.deepEqual(queue.stats().dropped, { a: 1 });
    assert.equal(queue.stats().pending, 3);
  });

  it('never drops a camera\'s only pending frame for another camera: past capacity it holds one per camera', async () => {
    const runner = gatedRunner();
    const queue = new InferenceQueue({ name: 'm', capacity: 2, run: runner.run });
    void queue.submit('pond', 'p0');
    const pending = ['pond', 'gate', 'quiet-1', 'quiet-2', 'quiet-3'].map((camera) => settled(queue.submit(camera, `${camera}-1`)));
    assert.equal(queue.stats().pending, 5);
    assert.deepEqual(queue.stats().dropped, {});
    const second = settled(queue.submit('gate', 'gate-2'));
    assert.deepEqual(queue.stats().dropped, { gate: 1 }, 'a camera\'s own older frame still gives way to its newer one');
    for (let i = 0; i < 6; i += 1) {
      runner.finish();
      await tick();
    }
    assert.deepEqual(await Promise.all(pending), ['out:pond-1', 'INFERENCE_DROPPED', 'out:quiet-1-1', 'out:quiet-2-1', 'out:quiet-3-1']);
    assert.equal(await second, 'out:gate-2');
  });

  it('rejects a failed run, counts it and keeps serving', async () => {
    let calls = 0;
    const queue = new InferenceQueue<string, string>({
      name: 'm',
      capacity: 4,
      run: (input) => {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error('boom')) : Promise.resolve(input);
      },
    });
    await assert.rejects(queue.submit('a', 'x'), /boom/);
    assert.equal(await queue.submit('a', 'y'), 'y');
    assert.equal(queue.stats().failed, 1);
  });

  it('stop() rejects pending requests, refuses new ones and waits for the running one', async () => {
    const runner = gatedRunner();
    const queue = new InferenceQueue({ name: 'm', capacity: 4, run: runner.run });
    const running = queue.submit('a', 'a1');
    const pending = settled(queue.submit('b', 'b1'));
    let stopped = false;
    const stopping = queue.stop().then(() => {
      stopped = true;
    });
    assert.equal(await pending, 'INFERENCE_DROPPED');
    assert.equal(await settled(queue.submit('a', 'a2')), 'INFERENCE_DROPPED');
    await tick();
    assert.equal(stopped, false, 'stop waits for the running request');
    runner.finish();
    await stopping;
    assert.equal(await running, 'out:a1');
    assert.deepEqual(runner.ran, ['a1']);
  });

  it('tells its observer of every completed run, the queue wait included in the total, and not of failures', async () => {
    const samples: { runMs: number; totalMs: number }[] = [];
    let calls = 0;
    const queue = new InferenceQueue<string, string>({
      name: 'm',
      capacity: 4,
      run: (input) => {
        calls += 1;
        return calls === 2 ? Promise.reject(new Error('boom')) : new Promise((resolve) => setTimeout(() => { resolve(input); }, 20));
      },
      observe: (sample) => samples.push(sample),
    });
    const results = await Promise.all([settled(queue.submit('a', 'a1')), settled(queue.submit('a', 'a2')), settled(queue.submit('b', 'b1'))]);
    // Round robin runs a1, b1 (which fails), a2.
    assert.deepEqual(results, ['a1', 'a2', 'other']);
    assert.equal(samples.length, 2);
    assert.equal(queue.stats().completed, samples.length);
    for (const sample of samples) assert.ok(sample.runMs >= 15 && sample.totalMs >= sample.runMs, JSON.stringify(sample));
    assert.ok((samples[1]?.totalMs ?? 0) >= (samples[1]?.runMs ?? 0) + 15, 'a2 waited for a1 to run');
  });
});
