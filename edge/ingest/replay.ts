import { MediaClock } from '../clock/clock.js';
import type { Camera } from './ffmpeg-args.js';
import { FileSource } from './file-source.js';
import type { Frame } from './frame.js';

/**
 * The per-frame pipeline a replay runs (detector, tracker, rules as later stages add them). It resolves with the
 * records that frame produced; they are printed as JSON lines in order. It must be deterministic for a given frame.
 */
export type FramePipeline = (frame: Frame) => Promise<readonly object[]>;

export interface ReplayOptions {
  readonly camera: Camera;
  readonly input: string;
  /** Epoch ms of the first frame (MediaClock anchor). */
  readonly anchor: number;
  readonly pipeline?: FramePipeline;
  /** Writes one line of output (a JSON text plus "\n"); awaited, so a slow stdout slows the replay instead of buffering. */
  readonly write: (line: string) => Promise<void>;
}

export interface ReplaySummary {
  readonly frames: number;
  readonly mediaSeconds: number;
}

/** Media seconds to three decimals, so the text does not depend on float formatting of long fractions. */
function seconds(frames: number, fps: number): number {
  return Math.round((frames * 1000) / fps) / 1000;
}

/**
 * Decodes the file at the camera's detect size and fps, runs the pipeline on every frame and writes:
 *   {"type":"frames","t":<media second>,"frames":<n>}  once per media second (frames decoded in that second)
 *   ...the pipeline's records, in frame order
 *   {"type":"end","frames":N,"mediaSeconds":S}
 * Output depends only on the file and the options, never on how fast the machine is.
 */
export async function replay(options: ReplayOptions): Promise<ReplaySummary> {
  const { camera, input, anchor, pipeline, write } = options;
  const { fps } = camera.detect;
  let second = 0;
  let inSecond = 0;
  const flushSecond = (): Promise<void> => write(`${JSON.stringify({ type: 'frames', t: second, frames: inSecond })}\n`);
  const source = new FileSource({
    camera: camera.id,
    input,
    shape: camera.detect,
    deblock: camera.input.deblock,
    clock: new MediaClock({ anchor, fps }),
    onFrame: async (frame) => {
      const frameSecond = Math.floor(frame.seq / fps);
      while (frameSecond > second) {
        await flushSecond();
        second += 1;
        inSecond = 0;
      }
      inSecond += 1;
      if (pipeline === undefined) return;
      for (const record of await pipeline(frame)) await write(`${JSON.stringify(record)}\n`);
    },
  });
  const { frames } = await source.start();
  if (inSecond > 0) await flushSecond();
  const summary = { frames, mediaSeconds: seconds(frames, fps) };
  await write(`${JSON.stringify({ type: 'end', ...summary })}\n`);
  return summary;
}
