import { existsSync, statSync } from 'node:fs';
import type { Clock } from '../clock/clock.js';
import { HuxiaoError } from '../errors.js';
import { LineSplitter } from '../process/line-splitter.js';
import { fileArgs, type OutputShape } from './ffmpeg-args.js';
import { spawnFfmpeg, stopFfmpeg, type FfmpegChild } from './ffmpeg-process.js';
import type { Frame } from './frame.js';
import { FrameReader } from './frame-reader.js';
import { classifyStderrLine } from './stderr-classifier.js';

export interface FileSourceOptions {
  /** Camera id the frames carry. */
  readonly camera: string;
  /** Any file ffmpeg can decode. */
  readonly input: string;
  readonly shape: OutputShape;
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
  #child: FfmpegChild | undefined;
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
    const child = spawnFfmpeg(fileArgs(input, shape));
    this.#child = child;
    const problems: string[] = [];
    const splitter = new LineSplitter();
    const onLine = (line: string): void => {
      const classified = classifyStderrLine(line);
      if (classified !== undefined && problems.length < 5) problems.push(classified.text);
    };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      splitter.push(chunk, onLine);
    });
    const closed = new Promise<{ code: number | null; spawnError: NodeJS.ErrnoException | undefined }>((resolve) => {
      let spawnError: NodeJS.ErrnoException | undefined;
      child.on('error', (error: NodeJS.ErrnoException) => {
        spawnError = error;
      });
      child.on('close', (code) => {
        splitter.flush(onLine);
        resolve({ code, spawnError });
      });
    });
    try {
      for await (const chunk of child.stdout) await reader.pushAwaiting(chunk as Buffer, onFrame);
    } catch (error) {
      await stopFfmpeg(child);
      throw error;
    } finally {
      this.#child = undefined;
    }
    const { code, spawnError } = await closed;
    if (spawnError !== undefined) {
      throw new HuxiaoError('FFMPEG_MISSING', spawnError.code === 'ENOENT' ? 'ffmpeg is not installed or not on PATH' : spawnError.message);
    }
    if (this.#stopped) return { frames: reader.delivered };
    if (code !== 0) throw new HuxiaoError('REPLAY_INPUT', `${input}: ffmpeg cannot decode it (exit ${String(code)}): ${problems.join('; ') || 'no message'}`);
    if (reader.delivered === 0) throw new HuxiaoError('REPLAY_INPUT', `${input}: no video frames in the file`);
    return { frames: reader.delivered };
  }

  /** Ends decoding early; start() then resolves with the frames delivered so far. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const child = this.#child;
    if (child !== undefined) await stopFfmpeg(child);
  }
}
