import { HuxiaoError } from '../errors.js';
import { LatencyWindow, type LatencySummary } from './latency-window.js';

export interface InferenceQueueOptions<I, O> {
  /** Model name, for error messages. */
  readonly name: string;
  /** Pending requests over all cameras; the request being run does not count. */
  readonly capacity: number;
  /** Runs one request; at most one runs at a time because the model's session already uses every intra-op thread. */
  readonly run: (input: I) => Promise<O>;
  /** Completed runs kept for the latency figures. */
  readonly latencyWindow?: number;
  /** Told of every completed run (the Prometheus histograms); it must not throw. */
  readonly observe?: (sample: InferenceSample) => void;
}

/** One completed run, in milliseconds. */
export interface InferenceSample {
  /** The model alone. */
  readonly runMs: number;
  /** From submit to result, the wait in the queue included. */
  readonly totalMs: number;
}

export interface QueueStats {
  readonly pending: number;
  readonly completed: number;
  readonly failed: number;
  /** Dropped unrun because a newer request replaced them in a full queue, per camera. */
  readonly dropped: Readonly<Record<string, number>>;
  /** Run time of the model alone (not the wait in the queue), over the last completed runs. */
  readonly runMs: LatencySummary;
  /** Time from submit to result, over the last completed runs. */
  readonly totalMs: LatencySummary;
}

interface Pending<I, O> {
  readonly input: I;
  readonly submitted: number;
  resolve(output: O): void;
  reject(error: unknown): void;
}

/**
 * One model's queue, shared by every camera. Cameras are served round robin so a busy camera cannot starve a quiet
 * one; when the queue is full the oldest pending request of the submitting camera is dropped (latest frame wins),
 * or, when that camera has nothing pending, the oldest request of the camera with the most pending if it has more
 * than one, so latency stays bounded under overload instead of growing with a backlog. A camera's only pending
 * request is never dropped for another camera's: past `capacity` the queue holds up to one request per camera (the
 * camera workers wait for each run, so the scheduler, not the queue, decides who runs less).
 */
export class InferenceQueue<I, O> {
  readonly #options: InferenceQueueOptions<I, O>;
  readonly #byCamera = new Map<string, Pending<I, O>[]>();
  /** Round-robin order: the camera served next is the first with work after the last served one. */
  readonly #order: string[] = [];
  #lastServed = -1;
  #pending = 0;
  /** Settles when the request being run settles; undefined while idle. */
  #running: Promise<void> | undefined;
  #stopped = false;
  #completed = 0;
  #failed = 0;
  readonly #dropped = new Map<string, number>();
  readonly #runMs: LatencyWindow;
  readonly #totalMs: LatencyWindow;

  constructor(options: InferenceQueueOptions<I, O>) {
    this.#options = options;
    this.#runMs = new LatencyWindow(options.latencyWindow ?? 200);
    this.#totalMs = new LatencyWindow(options.latencyWindow ?? 200);
  }

  submit(camera: string, input: I): Promise<O> {
    if (this.#stopped) return Promise.reject(new HuxiaoError('INFERENCE_DROPPED', `${this.#options.name}: the inference queue is stopped`));
    return new Promise<O>((resolve, reject) => {
      if (this.#pending >= this.#options.capacity) this.#dropOne(camera);
      let queue = this.#byCamera.get(camera);
      if (queue === undefined) {
        queue = [];
        this.#byCamera.set(camera, queue);
        this.#order.push(camera);
      }
      queue.push({ input, submitted: performance.now(), resolve, reject });
      this.#pending += 1;
      this.#pump();
    });
  }

  /**
   * Rejects every pending request and refuses new ones; resolves once the request being run has finished, so the
   * caller can release the model session without pulling it from under a running inference.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const [camera, queue] of this.#byCamera) {
      for (const request of queue.splice(0)) request.reject(new HuxiaoError('INFERENCE_DROPPED', `${this.#options.name}: stopped before the request for camera ${camera} ran`));
    }
    this.#pending = 0;
    await this.#running;
  }

  stats(): QueueStats {
    return {
      pending: this.#pending,
      completed: this.#completed,
      failed: this.#failed,
      dropped: Object.fromEntries(this.#dropped),
      runMs: this.#runMs.summary(),
      totalMs: this.#totalMs.summary(),
    };
  }

  #dropOne(camera: string): void {
    let victimCamera = camera;
    let victims = this.#byCamera.get(camera);
    if (victims === undefined || victims.length === 0) {
      // Another camera loses a frame only to a backlog of its own: its only pending frame may be a fence entry.
      victims = undefined;
      for (const [other, queue] of this.#byCamera) {
        if (queue.length >= 2 && queue.length > (victims?.length ?? 0)) {
          victimCamera = other;
          victims = queue;
        }
      }
    }
    const victim = victims?.shift();
    if (victim === undefined) return;
    this.#pending -= 1;
    this.#dropped.set(victimCamera, (this.#dropped.get(victimCamera) ?? 0) + 1);
    victim.reject(new HuxiaoError('INFERENCE_DROPPED', `${this.#options.name}: a newer frame of camera ${victimCamera} replaced this one in the full queue`));
  }

  #next(): Pending<I, O> | undefined {
    for (let step = 1; step <= this.#order.length; step += 1) {
      const index = (this.#lastServed + step) % this.#order.length;
      const camera = this.#order[index];
      const request = camera === undefined ? undefined : this.#byCamera.get(camera)?.shift();
      if (request !== undefined) {
        this.#lastServed = index;
        this.#pending -= 1;
        return request;
      }
    }
    return undefined;
  }

  #pump(): void {
    if (this.#running !== undefined) return;
    const request = this.#next();
    if (request === undefined) return;
    const started = performance.now();
    this.#running = this.#options.run(request.input).then(
      (output) => {
        const finished = performance.now();
        const sample = { runMs: finished - started, totalMs: finished - request.submitted };
        this.#completed += 1;
        this.#runMs.add(sample.runMs);
        this.#totalMs.add(sample.totalMs);
        this.#options.observe?.(sample);
        this.#running = undefined;
        request.resolve(output);
        this.#pump();
      },
      (error: unknown) => {
        this.#failed += 1;
        this.#running = undefined;
        request.reject(error);
        this.#pump();
      },
    );
  }
}
