import ort from 'onnxruntime-node';
import { HuxiaoError } from '../errors.js';
import { moduleLogger, type Logger } from '../log.js';
import { InferenceQueue, type InferenceSample, type QueueStats } from './inference-queue.js';
import type { ModelEntry } from './manifest.js';
import { readVerifiedModel } from './model-file.js';

/** One output of a run: flat float values and their shape, as the manifest lists them. */
export interface OutputTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export type ModelOutputs = ReadonlyMap<string, OutputTensor>;

/** One request: the input tensor and the build (the entry or one of its other input shapes) it is laid out for. */
interface Request {
  readonly tensor: Float32Array;
  readonly entry: ModelEntry;
}

export interface ModelSessionOptions {
  readonly modelsDir: string;
  readonly entry: ModelEntry;
  /** Other input shapes of the entry (manifest `inputOf`), run through the same queue, so one run at a time still. */
  readonly inputs?: readonly ModelEntry[];
  /** onnxruntime intra-op threads for one run. */
  readonly threads: number;
  /** Pending requests over all cameras before the oldest is dropped. */
  readonly queueSize: number;
  /** Told of every completed run; it must not throw. */
  readonly observe?: (sample: InferenceSample) => void;
}

/**
 * The one onnxruntime session of a model, shared by every camera. `start()` verifies the file against the manifest
 * and creates the session (throwing MODEL_MISSING / MODEL_INTEGRITY / MODEL_LOAD); `run()` goes through a bounded,
 * camera-fair queue and onnxruntime's asynchronous run, so inference never blocks the event loop.
 */
export class ModelSession {
  readonly entry: ModelEntry;
  #inputs: readonly ModelEntry[];
  readonly #options: ModelSessionOptions;
  readonly #log: Logger;
  readonly #sessions = new Map<string, ort.InferenceSession>();
  #queue: InferenceQueue<Request, ModelOutputs> | undefined;

  constructor(options: ModelSessionOptions) {
    this.#options = options;
    this.entry = options.entry;
    this.#inputs = [options.entry];
    this.#log = moduleLogger('vision', { model: options.entry.name });
  }

  /**
   * Loads the entry (its failure is the model's) and then its other input shapes; one of those that cannot be loaded
   * is logged and left out, so its pictures run at the entry's own input: slower, never blind.
   */
  async start(): Promise<void> {
    const { entry, threads, queueSize, observe } = this.#options;
    this.#sessions.set(entry.name, await this.#open(entry));
    const loaded = [entry];
    for (const build of this.#options.inputs ?? []) {
      try {
        this.#sessions.set(build.name, await this.#open(build));
        loaded.push(build);
      } catch (error) {
        this.#log.warn({ input: build.name, err: error }, 'another input shape of the model cannot be loaded; its pictures run at the model\'s own input');
      }
    }
    this.#inputs = loaded;
    this.#queue = new InferenceQueue({ name: entry.name, capacity: queueSize, run: (request) => this.#infer(request), ...(observe === undefined ? {} : { observe }) });
    this.#log.info({ file: entry.file, precision: entry.precision, threads, ...(this.inputs.length > 1 ? { inputs: this.inputs.map((build) => build.input.shape.join('x')) } : {}) }, 'model loaded');
  }

  async #open(entry: ModelEntry): Promise<ort.InferenceSession> {
    const { modelsDir, threads } = this.#options;
    const bytes = await readVerifiedModel(modelsDir, entry);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: threads,
        // One run at a time per session (the queue serializes them), so a second inter-op pool would only idle.
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
        // Idle intra-op threads must sleep, not spin: the gateway runs several sessions (detector, face models) and
        // ffmpeg on two cores, and a spinning pool steals the core another session's run needs. Measured with the
        // two nanodet builds run alternately, 2 threads: INT8 p50 20 ms without spinning, 48-55 ms with it.
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      });
    } catch (error) {
      throw new HuxiaoError('MODEL_LOAD', `onnxruntime cannot load ${entry.file} (${entry.name}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const missing = [entry.input.name, ...entry.outputs.map((output) => output.name)].filter(
      (name) => !session.inputNames.includes(name) && !session.outputNames.includes(name),
    );
    if (missing.length > 0) {
      await session.release();
      throw new HuxiaoError('MODEL_LOAD', `${entry.file} (${entry.name}) lacks the tensors the manifest names: ${missing.join(', ')}`);
    }
    return session;
  }

  /** The entry first, then those of its other input shapes that loaded, smallest first. */
  get inputs(): readonly ModelEntry[] {
    return this.#inputs;
  }

  async stop(): Promise<void> {
    await this.#queue?.stop();
    this.#queue = undefined;
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(sessions.map((session) => session.release()));
  }

  /**
   * Runs the model on one input tensor laid out as `build`'s input says (the entry's, or one of its other input
   * shapes'). Rejects with INFERENCE_DROPPED or INFERENCE_FAILED.
   */
  run(camera: string, input: Float32Array, build: ModelEntry = this.entry): Promise<ModelOutputs> {
    if (this.#queue === undefined) return Promise.reject(new HuxiaoError('INFERENCE_FAILED', `${this.entry.name}: the model session is not started`));
    return this.#queue.submit(camera, { tensor: input, entry: build });
  }

  stats(): QueueStats | undefined {
    return this.#queue?.stats();
  }

  async #infer({ tensor, entry }: Request): Promise<ModelOutputs> {
    const session = this.#sessions.get(entry.name);
    if (session === undefined) throw new HuxiaoError('INFERENCE_FAILED', `${this.entry.name}: no session for the input ${entry.name}`);
    const feeds = { [entry.input.name]: new ort.Tensor('float32', tensor, entry.input.shape) };
    let results: ort.InferenceSession.OnnxValueMapType;
    try {
      results = await session.run(feeds);
    } catch (error) {
      throw new HuxiaoError('INFERENCE_FAILED', `${entry.name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const outputs = new Map<string, OutputTensor>();
    for (const { name } of entry.outputs) {
      const tensor = results[name];
      if (tensor?.type !== 'float32') throw new HuxiaoError('INFERENCE_FAILED', `${entry.name}: output ${name} is missing or not float32`);
      outputs.set(name, { data: tensor.data as Float32Array, dims: tensor.dims });
    }
    return outputs;
  }
}
