import type { Frame } from './frame.js';

/**
 * One reusable frame buffer. The pool hands it out with one reference (the reader's, held while the synchronous
 * handler runs); consumers add their own with retain(). At zero references it goes back to the pool.
 */
class PooledFrame implements Frame {
  readonly camera: string;
  readonly width: number;
  readonly height: number;
  readonly data: Buffer;
  seq = 0;
  ts = 0;
  #refs = 0;
  readonly #pool: FramePool;

  constructor(pool: FramePool, camera: string, width: number, height: number) {
    this.#pool = pool;
    this.camera = camera;
    this.width = width;
    this.height = height;
    this.data = Buffer.allocUnsafe(width * height * 3);
  }

  acquire(): void {
    this.#refs = 1;
  }

  retain(): void {
    if (this.#refs === 0) throw new Error(`frame ${this.camera}#${this.seq} retained after its last release`);
    this.#refs += 1;
  }

  release(): void {
    if (this.#refs === 0) throw new Error(`frame ${this.camera}#${this.seq} released more often than retained`);
    this.#refs -= 1;
    if (this.#refs === 0) this.#pool.giveBack(this);
  }
}

export type { PooledFrame };

export interface FramePoolOptions {
  readonly camera: string;
  readonly width: number;
  readonly height: number;
  /** Buffers allocated up front. */
  readonly size: number;
  /**
   * When every buffer is held by consumers: 'drop' refuses (a live camera must never wait for a slow consumer),
   * 'grow' allocates one more (replay, which waits for its consumer and so must never lose a frame).
   */
  readonly whenExhausted: 'drop' | 'grow';
}

export class FramePool {
  readonly #options: FramePoolOptions;
  readonly #free: PooledFrame[] = [];
  #allocated = 0;

  constructor(options: FramePoolOptions) {
    this.#options = options;
    for (let i = 0; i < options.size; i += 1) this.#free.push(this.#allocate());
  }

  get allocated(): number {
    return this.#allocated;
  }

  get available(): number {
    return this.#free.length;
  }

  /** A frame buffer with one reference, or undefined when all are held and the pool may not grow. */
  take(): PooledFrame | undefined {
    const frame = this.#free.pop() ?? (this.#options.whenExhausted === 'grow' ? this.#allocate() : undefined);
    frame?.acquire();
    return frame;
  }

  giveBack(frame: PooledFrame): void {
    this.#free.push(frame);
  }

  #allocate(): PooledFrame {
    this.#allocated += 1;
    return new PooledFrame(this, this.#options.camera, this.#options.width, this.#options.height);
  }
}
