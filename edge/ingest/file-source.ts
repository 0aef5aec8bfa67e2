import { existsSync, statSync } from 'node:fs';
import type { Clock } from '../clock/clock.js';
import { HuxiaoError } from '../errors.js';
import { describeExit, startTool, succeeded, type PipedTool } from '../process/tool.js';
import { fileArgs, type OutputShape } from './ffmpeg-args.js';
import { ffmpegTool } from './ffmpeg-process.js';
import type { Frame } from './frame.js';
import { FrameReader } from './frame-reader.js';
import { classifyStderrLine } from './stderr-classifier.js';

export interface FileSourceOptions {
  /** Camera id the frames carry. */
  readonly camera: string;
  /** Any file ffmpeg can decode. */
  readonly input: string;
  readonly shape: OutputShape;
  /** Run the decoder's deblocking filter: the camera's `input.deblock`. */
  readonly deblock: boolean;
  /** Normally a MediaClock, so timestamps depend on the file only. */
  readonly clock: Clock;
  /** Reading pauses until a returned promise settles: replay never drops a frame, however slow the consumer. */
  readonly onFrame: (frame: Frame) => void | Promise<void>;
}

export interface FileSourceResult {
  readonly frames: number;
}

/**
 * Decodes a file as fast as the CPU and the consumer allow. Unlike a live camera nothing is dropped: when the
 * consumer is busy, ffmpeg's stdout is left unread and the pipe's backpressure pauses ffmpeg itself.
 */
export class FileSource {
  readonly #options: FileSourceOptions;
  #ffmpeg: PipedTool | undefined;
  #stopped = false;

  constructor(options: FileSourceOptions) {
    this.#options = options;
  }

  /** Resolves with the frame count when the file ends; REPLAY_INPUT if it is missing or cannot be decoded. */
  async start(): Promise<FileSourceResult> {
    const { input, shape, camera, clock, onFrame } = this.#options;
    if (!existsSync(input)) throw new HuxiaoError('REPLAY_INPUT', `${input}: no such file`);
    if (!statSync(input).isFile()) throw new HuxiaoError('REPLAY_INPUT', `${input}: not a regular file`);
    const reader = new FrameReader({ camera, width: shape.width, height: shape.height, clock, poolSize: 2, whenExhausted: 'grow' });
    const problems: string[] = [];
    const ffmpeg = startTool({
      ...ffmpegTool(fileArgs(input, shape, { deblock: this.#options.deblock })),
      stdout: 'pipe',
      onStderrLine: (line) => {
        const classified = classifyStderrLine(line);
        if (classified !== undefined && problems.length < 5) problems.push(classified.text);
      },
    });
    this.#ffmpeg = ffmpeg;
    try {
      for await (const chunk of ffmpeg.stdout) await reader.pushAwaiting(chunk as Buffer, onFrame);
    } catch (error) {
      await ffmpeg.stop();
      throw error;
    } finally {
      this.#ffmpeg = undefined;
    }
    const exit = await ffmpeg.exited;
    if (exit.kind === 'spawn-error') throw exit.error;
    if (this.#stopped) return { frames: reader.delivered };
    if (!succeeded(exit)) throw new HuxiaoError('REPLAY_INPUT', `${input}: ffmpeg cannot decode it (${describeExit(exit)}): ${problems.join('; ') || 'no message'}`);
    if (reader.delivered === 0) throw new HuxiaoError('REPLAY_INPUT', `${input}: no video frames in the file`);
    return { frames: reader.delivered };
  }

  /** Ends decoding early; start() then resolves with the frames delivered so far. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#ffmpeg?.stop();
  }
}
