import { toInputTensor, inputSize } from './input-tensor.js';
import type { ModelEntry } from './manifest.js';
import type { ModelSession } from './model-session.js';

export interface MeasureOptions {
  /** Time allowed per build, warm-up included; the measurement stops at the first round after 2x this for two builds. */
  readonly budgetMs: number;
  /** Timed runs per build at most (a fast model stops here, well inside the budget). */
  readonly maxRuns: number;
}

export const DEFAULT_MEASURE: MeasureOptions = { budgetMs: 3000, maxRuns: 40 };

/** Untimed runs per build first: the first runs of a session allocate its buffers and are slow. */
const WARM_UP = 2;
/** Timed runs per build even over the budget, so a median is never taken of one sample. */
const MIN_RUNS = 3;

/** Queue name the measuring runs go under (the per-camera figures of stats() never show it: nothing is dropped). */
const MEASURE_CAMERA = 'precision-measurement';

/**
 * A picture of the model's input size filled with a fixed pseudo-random pattern (xorshift32), normalized like a frame.
 * Timing needs no real footage: the convolution kernels do the same work whatever the pixel values.
 */
export function syntheticInput(input: ModelEntry['input']): Float32Array {
  const { width, height } = inputSize(input);
  const pixels = new Uint8Array(width * height * 3);
  let state = 0x9e3779b9;
  for (let i = 0; i < pixels.length; i += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    pixels[i] = state & 0xff;
  }
  return toInputTensor(pixels, input);
}

/**
 * Run times in ms of started sessions, interleaved run for run (A B, B A, A B, ...) so drift and load from other
 * processes hit every build alike and the order within a round favours none. Returns the samples per session.
 */
export async function timeInterleaved(sessions: readonly ModelSession[], options: MeasureOptions): Promise<number[][]> {
  const inputs = sessions.map((session) => syntheticInput(session.entry.input));
  const samples = sessions.map((): number[] => []);
  const deadline = performance.now() + options.budgetMs * sessions.length;
  for (let round = -WARM_UP; round < options.maxRuns; round += 1) {
    if (round >= MIN_RUNS && performance.now() >= deadline) break;
    const order = round % 2 === 0 ? sessions.map((_, k) => k) : sessions.map((_, k) => sessions.length - 1 - k);
    for (const k of order) {
      const session = sessions[k];
      const input = inputs[k];
      if (session === undefined || input === undefined) continue;
      const start = performance.now();
      await session.run(MEASURE_CAMERA, input);
      if (round >= 0) samples[k]?.push(performance.now() - start);
    }
  }
  return samples;
}
