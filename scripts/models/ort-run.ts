import * as ort from 'onnxruntime-node';

export interface SessionOptions {
  readonly threads: number;
  /** Where ORT writes the graph it actually runs after its optimizations (for op counting). */
  readonly optimizedModelFilePath?: string;
  /** 'disabled' keeps every tensor as written (calibration reads intermediate tensors). */
  readonly optimization?: 'disabled' | 'all';
}

export function openSession(model: Uint8Array, options: SessionOptions): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, {
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: options.optimization ?? 'all',
    ...(options.optimizedModelFilePath === undefined ? {} : { optimizedModelFilePath: options.optimizedModelFilePath }),
  });
}

/** Runs one input and returns the float outputs in the session's output order. */
export async function runSession(session: ort.InferenceSession, data: Float32Array, shape: readonly number[]): Promise<Float32Array[]> {
  const feeds = { [session.inputNames[0] ?? 'input']: new ort.Tensor('float32', data, shape) };
  const results = await session.run(feeds);
  return session.outputNames.map((name) => {
    const value = results[name]?.data;
    if (!(value instanceof Float32Array)) throw new Error(`output ${name} is not float32`);
    return value;
  });
}
