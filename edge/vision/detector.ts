import type { DetectorConfig } from '../config/vision.js';
import { HuxiaoError } from '../errors.js';
import type { RgbImage } from '../ingest/frame.js';
import type { Box } from '../geometry/geometry.js';
import type { Detection, ObjectDetector } from './detection.js';
import { unletterbox } from './letterbox.js';
import type { ModelSession } from './model-session.js';
import { decodeNanoDet } from './nanodet-decode.js';
import { area } from '../geometry/geometry.js';
import { nmsPerClass } from './nms.js';
import { runOnRegion } from './region-inference.js';

export interface DetectorOptions {
  /** A started session of a detector model (role "detector" in the manifest). */
  readonly session: ModelSession;
  readonly config: DetectorConfig;
}

/**
 * Minimum score per class id from the config; classes not listed get Infinity (never reported).
 * An unknown label is a config error naming it, so a typo such as "preson" cannot silently disable detection.
 */
export function classThresholds(labels: readonly string[], config: DetectorConfig): Float32Array {
  const known = new Set(labels);
  const unknown = [...config.labels, ...Object.keys(config.minScoreByLabel)].filter((label) => !known.has(label));
  if (unknown.length > 0) {
    throw new HuxiaoError('CONFIG_INVALID', `vision.detector: unknown label(s) ${unknown.map((label) => `"${label}"`).join(', ')}; the model knows: ${labels.join(', ')}`);
  }
  const wanted = new Set(config.labels);
  return Float32Array.from(labels, (label) => (wanted.has(label) ? (config.minScoreByLabel[label] ?? config.minScore) : Number.POSITIVE_INFINITY));
}

/**
 * The object detector: letterbox the frame (or the motion gate's region) to the model input with sharp, normalize as
 * the manifest says, run the shared session, decode NanoDet's heads, keep the configured labels, NMS per class, and
 * return boxes in the frame's pixels.
 */
export class Detector implements ObjectDetector {
  readonly #options: DetectorOptions;
  #minScores: Float32Array | undefined;

  constructor(options: DetectorOptions) {
    this.#options = options;
  }

  /** Checks the configured labels against the model's; throws CONFIG_INVALID naming an unknown one. */
  start(): void {
    this.#minScores = classThresholds(this.#labels(), this.#options.config);
  }

  async detect(image: RgbImage, options: { readonly roi?: Box; readonly camera?: string } = {}): Promise<Detection[]> {
    const minScores = this.#minScores;
    if (minScores === undefined) throw new HuxiaoError('INFERENCE_FAILED', 'the detector is not started');
    const { session, config } = this.#options;
    const run = await runOnRegion(session, image, options);
    if (run === undefined) return [];
    const { outputs, transform, size } = run;
    const candidates = decodeNanoDet(outputs, { inputWidth: size.width, inputHeight: size.height, minScores });
    const labels = this.#labels();
    const detections: Detection[] = [];
    for (const candidate of nmsPerClass(candidates, config.nmsIou, config.maxDetections)) {
      const box = unletterbox(candidate.box, transform);
      if (area(box) <= 0) continue;
      detections.push({ label: labels[candidate.classId] ?? String(candidate.classId), classId: candidate.classId, score: candidate.score, box });
    }
    return detections;
  }

  #labels(): readonly string[] {
    return this.#options.session.entry.labels ?? [];
  }
}
