import type { Clock } from '../clock/clock.js';
import type { Frame } from './frame.js';
import { FramePool, type PooledFrame } from './frame-pool.js';

export interface FrameReaderOptions {
  readonly camera: string;
  readonly width: number;
  readonly height: number;
  readonly clock: Clock;
  /** Frame buffers in the pool (default 4: one being filled, the rest for consumers that hold a frame). */
  readonly poolSize?: number;
  readonly whenExhausted?: 'drop' | 'grow';
}

/**
 * Cuts ffmpeg's raw RGB24 byte stream into frames. Chunks arrive split anywhere; bytes are copied straight into a
 * pooled buffer, so no memory is allocated per frame. Sequence numbers continue across reset() (a reconnect).
 */
export class FrameReader {
  readonly frameBytes: number;
  readonly #options: FrameReaderOptions;
  readonly #pool: FramePool;
  #current: PooledFrame | undefined;
  /** Bytes of the current frame received so far (also counted while discarding one for lack of a buffer). */
  #filled = 0;
  #discarding = false;
  #seq = 0;
  #dropped = 0;

  constructor(options: FrameReaderOptions) {
    this.#options = options;
    this.frameBytes = options.width * options.height * 3;
    this.#pool = new FramePool({
      camera: options.camera,
      width: options.width,
      height: options.height,
      size: options.poolSize ?? 4,
      whenExhausted: options.whenExhausted ?? 'drop',
    });
  }

  /** Frames delivered so far (the next frame's seq). */
  get delivered(): number {
    return this.#seq;
  }

  /** Frames thrown away because consumers held every buffer. */
  get dropped(): number {
    return this.#dropped;
  }

  get pool(): FramePool {
    return this.#pool;
  }

  /** Feeds one chunk; each completed frame goes to onFrame synchronously and is released when it returns. */
  push(chunk: Buffer, onFrame: (frame: Frame) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      offset = this.#fill(chunk, offset);
      const frame = this.#complete();
      if (frame !== undefined) {
        try {
          onFrame(frame);
        } finally {
          frame.release();
        }
      }
    }
  }

  /**
   * Like push(), but waits for each frame's handler before reading further (replay's backpressure). The reader's
   * reference is released once the handler's promise settles.
   */
  async pushAwaiting(chunk: Buffer, onFrame: (frame: Frame) => unknown): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      offset = this.#fill(chunk, offset);
      const frame = this.#complete();
      if (frame !== undefined) {
        try {
          await onFrame(frame);
        } finally {
          frame.release();
        }
      }
    }
  }

  /** Forgets a partial frame (the stream restarted, its bytes will never be completed). */
  reset(): void {
    this.#current?.release();
    this.#current = undefined;
    this.#filled = 0;
    this.#discarding = false;
  }

  /** Copies bytes of `chunk` from `offset` into the current frame; returns the offset after what was taken. */
  #fill(chunk: Buffer, offset: number): number {
    if (this.#filled === 0 && !this.#discarding) {
      this.#current = this.#pool.take();
      this.#discarding = this.#current === undefined;
    }
    const take = Math.min(this.frameBytes - this.#filled, chunk.length - offset);
    if (this.#current !== undefined) chunk.copy(this.#current.data, this.#filled, offset, offset + take);
    this.#filled += take;
    return offset + take;
  }

  /** The finished frame, stamped, if the last fill completed one. */
  #complete(): PooledFrame | undefined {
    if (this.#filled < this.frameBytes) return undefined;
    const frame = this.#current;
    this.#current = undefined;
    this.#filled = 0;
    this.#discarding = false;
    if (frame === undefined) {
      this.#dropped += 1;
      return undefined;
    }
    frame.seq = this.#seq;
    frame.ts = this.#options.clock.frameTime(this.#seq);
    this.#seq += 1;
    return frame;
  }
}
