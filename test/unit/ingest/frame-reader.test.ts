import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaClock } from '../../../edge/clock/clock.js';
import type { Frame } from '../../../edge/ingest/frame.js';
import { FrameReader } from '../../../edge/ingest/frame-reader.js';

const WIDTH = 4;
const HEIGHT = 2;
const FRAME_BYTES = WIDTH * HEIGHT * 3;

/** A seeded generator so a failing split can be reproduced from the seed in the test name. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Frame n is filled with byte value n (mod 256) so a reassembled frame shows which bytes went where. */
function stream(frames: number): Buffer {
  const bytes = Buffer.alloc(frames * FRAME_BYTES);
  for (let n = 0; n < frames; n += 1) bytes.fill(n % 256, n * FRAME_BYTES, (n + 1) * FRAME_BYTES);
  return bytes;
}

function randomChunks(bytes: Buffer, random: () => number): Buffer[] {
  const chunks: Buffer[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const size = 1 + Math.floor(random() * FRAME_BYTES * 2.5);
    chunks.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

function reader(poolSize = 2, whenExhausted: 'drop' | 'grow' = 'drop'): FrameReader {
  return new FrameReader({ camera: 'cam', width: WIDTH, height: HEIGHT, clock: new MediaClock({ anchor: 1000, fps: 4 }), poolSize, whenExhausted });
}

describe('FrameReader', () => {
  for (const seed of [1, 2, 3, 42, 1234]) {
    it(`reassembles frames across random chunk splits (seed ${String(seed)})`, () => {
      const frames = 40;
      const subject = reader();
      const seen: { seq: number; ts: number; fill: number; uniform: boolean }[] = [];
      for (const chunk of randomChunks(stream(frames), lcg(seed))) {
        subject.push(chunk, (frame) => {
          const first = frame.data[0] ?? -1;
          seen.push({ seq: frame.seq, ts: frame.ts, fill: first, uniform: frame.data.every((byte) => byte === first) });
        });
      }
      assert.equal(seen.length, frames);
      seen.forEach((frame, n) => {
        assert.deepEqual(frame, { seq: n, ts: 1000 + n * 250, fill: n, uniform: true });
      });
    });
  }

  it('reuses the same pooled buffers instead of allocating per frame', () => {
    const subject = reader(2);
    const buffers = new Set<Buffer>();
    subject.push(stream(20), (frame) => buffers.add(frame.data));
    assert.equal(subject.pool.allocated, 2);
    assert.ok(buffers.size <= 2);
  });

  it('drops and counts frames while consumers hold every buffer, then resumes', () => {
    const subject = reader(2);
    const held: Frame[] = [];
    const seqs: number[] = [];
    subject.push(stream(5), (frame) => {
      seqs.push(frame.seq);
      frame.retain();
      held.push(frame);
    });
    assert.deepEqual(seqs, [0, 1]);
    assert.equal(subject.dropped, 3);
    for (const frame of held) frame.release();
    subject.push(stream(2), (frame) => seqs.push(frame.seq));
    assert.deepEqual(seqs, [0, 1, 2, 3]);
    assert.equal(subject.pool.available, 2);
  });

  it('keeps a retained frame intact while later frames are read', () => {
    const subject = reader(2);
    let kept: Frame | undefined;
    subject.push(stream(4), (frame) => {
      if (frame.seq === 0) {
        frame.retain();
        kept = frame;
      }
    });
    assert.ok(kept);
    assert.ok(kept.data.every((byte) => byte === 0));
    kept.release();
  });

  it('rejects a release without a matching retain', () => {
    const subject = reader(2);
    let frame: Frame | undefined;
    subject.push(stream(1), (delivered) => {
      frame = delivered;
    });
    assert.ok(frame);
    assert.throws(() => frame?.release(), /released more often than retained/);
  });

  it('grows the pool instead of dropping when asked to (replay)', () => {
    const subject = reader(1, 'grow');
    const held: Frame[] = [];
    subject.push(stream(3), (frame) => {
      frame.retain();
      held.push(frame);
    });
    assert.equal(held.length, 3);
    assert.equal(subject.dropped, 0);
    assert.equal(subject.pool.allocated, 3);
    for (const frame of held) frame.release();
  });

  it('forgets a partial frame on reset and keeps counting seq', () => {
    const subject = reader();
    const seqs: number[] = [];
    const fills: number[] = [];
    const onFrame = (frame: Frame): void => {
      seqs.push(frame.seq);
      fills.push(frame.data[0] ?? -1);
    };
    subject.push(stream(3).subarray(0, FRAME_BYTES + 5), onFrame);
    subject.reset();
    subject.push(stream(2).subarray(FRAME_BYTES), onFrame);
    assert.deepEqual(seqs, [0, 1]);
    assert.deepEqual(fills, [0, 1]);
  });

  it('waits for an asynchronous consumer before reading the next frame', async () => {
    const subject = reader(1);
    const order: string[] = [];
    await subject.pushAwaiting(stream(3), async (frame) => {
      order.push(`start ${String(frame.seq)}`);
      await new Promise((resolve) => setImmediate(resolve));
      order.push(`end ${String(frame.seq)}`);
    });
    assert.deepEqual(order, ['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
    assert.equal(subject.dropped, 0);
    assert.equal(subject.pool.allocated, 1);
  });
});
