import { HuxiaoError } from '../errors.js';
import type { RgbImage } from '../ingest/frame.js';
import { alignFace, type AlignmentLandmarks } from './face-align.js';
import { inputSize, toInputTensor } from './input-tensor.js';
import type { ModelSession } from './model-session.js';
import { UNNAMED_CAMERA } from './region-inference.js';

export interface FaceEmbedderOptions {
  /** A started session of a face embedding model (role "face-embedder"). */
  readonly session: ModelSession;
}

/** Cosine similarity of two L2-normalized embeddings (their dot product). */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`embeddings differ in length: ${a.length} and ${b.length}`);
  let dot = 0;
  for (let i = 0; i < a.length; i += 1) dot += (a[i] ?? 0) * (b[i] ?? 0);
  return dot;
}

function l2Normalize(values: Float32Array): Float32Array {
  let sum = 0;
  for (const value of values) sum += value * value;
  const norm = Math.sqrt(sum);
  if (!(norm > 0) || !Number.isFinite(norm)) throw new HuxiaoError('INFERENCE_FAILED', 'the face embedding is zero or not finite');
  return values.map((value) => value / norm);
}

/**
 * Aligns a face to the embedder's template with a least-squares similarity on eyes, nose and mouth, runs the
 * embedding model and returns the L2-normalized vector (biometric data: never log it).
 */
export class FaceEmbedder {
  readonly #options: FaceEmbedderOptions;

  constructor(options: FaceEmbedderOptions) {
    this.#options = options;
  }

  async embed(image: RgbImage, landmarks: AlignmentLandmarks, options: { readonly camera?: string } = {}): Promise<Float32Array> {
    const { session } = this.#options;
    const { input } = session.entry;
    const { width } = inputSize(input);
    const aligned = alignFace(image, landmarks, width);
    const outputs = await session.run(options.camera ?? UNNAMED_CAMERA, toInputTensor(aligned.data, input));
    const first = session.entry.outputs[0];
    const embedding = first === undefined ? undefined : outputs.get(first.name);
    if (embedding === undefined) throw new HuxiaoError('INFERENCE_FAILED', `${session.entry.name}: no embedding output`);
    return l2Normalize(embedding.data);
  }
}
