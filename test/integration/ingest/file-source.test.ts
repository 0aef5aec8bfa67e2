import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaClock } from '../../../edge/clock/clock.js';
import { isHuxiaoError } from '../../../edge/errors.js';
import { FileSource } from '../../../edge/ingest/file-source.js';
import type { Frame } from '../../../edge/ingest/frame.js';
import { shortClip } from '../../helpers/footage.js';

const SHAPE = { width: 160, height: 120, fps: 5 };

describe('FileSource', () => {
  it('waits for a slow consumer and loses no frame, stamping media time', async () => {
    const clip = await shortClip(3);
    const stamps: number[] = [];
    let busy = false;
    let overlapped = false;
    const source = new FileSource({
      camera: 'pond',
      input: clip,
      shape: SHAPE,
      deblock: true,
      clock: new MediaClock({ anchor: 1_000_000, fps: SHAPE.fps }),
      onFrame: async (frame: Frame) => {
        overlapped ||= busy;
        busy = true;
        stamps.push(frame.ts);
        await new Promise((resolve) => setTimeout(resolve, 20));
        busy = false;
      },
    });
    const result = await source.start();
    assert.equal(result.frames, 15);
    assert.equal(overlapped, false);
    assert.deepEqual(
      stamps,
      stamps.map((_, index) => 1_000_000 + index * 200),
    );
  });

  it('keeps a retained frame intact while later frames are decoded', async () => {
    const clip = await shortClip(3);
    let first: Frame | undefined;
    let copy: Buffer | undefined;
    const source = new FileSource({
      camera: 'pond',
      input: clip,
      shape: SHAPE,
      deblock: true,
      clock: new MediaClock({ anchor: 0, fps: SHAPE.fps }),
      onFrame: (frame: Frame) => {
        if (frame.seq !== 0) return;
        frame.retain();
        first = frame;
        copy = Buffer.from(frame.data);
      },
    });
    await source.start();
    assert.ok(first && copy);
    assert.ok(first.data.equals(copy));
    first.release();
  });

  it('rejects a missing file with REPLAY_INPUT', async () => {
    const source = new FileSource({ camera: 'pond', input: '/nonexistent/clip.mp4', shape: SHAPE, deblock: true, clock: new MediaClock({ anchor: 0, fps: 5 }), onFrame: () => undefined });
    await assert.rejects(source.start(), (error: unknown) => isHuxiaoError(error) && error.code === 'REPLAY_INPUT' && /no such file/.test(error.message));
  });

  it('names a missing ffmpeg with FFMPEG_MISSING and the package to install', async () => {
    const clip = await shortClip(3);
    const saved = process.env.FFMPEG_PATH;
    process.env.FFMPEG_PATH = '/nonexistent/bin/ffmpeg';
    try {
      const source = new FileSource({ camera: 'pond', input: clip, shape: SHAPE, deblock: true, clock: new MediaClock({ anchor: 0, fps: 5 }), onFrame: () => undefined });
      await assert.rejects(source.start(), (error: unknown) => isHuxiaoError(error) && error.code === 'FFMPEG_MISSING' && error.message === '/nonexistent/bin/ffmpeg is not installed or not on PATH (apt-get install ffmpeg)');
    } finally {
      if (saved === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = saved;
    }
  });
});
