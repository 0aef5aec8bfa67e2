import { percentile } from './latency-window.js';
import { selectModel, type Manifest, type ModelEntry, type ModelPrecision, type ModelRole } from './manifest.js';

/** `vision.precision.<role>`: a build named outright, or `auto`. */
export type PrecisionSetting = ModelPrecision | 'auto';

/**
 * Why a role runs the build it runs (VisionRuntime.health()):
 * - explicit: the config named the precision;
 * - only-candidate: auto, but only one build may be used (the other failed its accuracy gate, or does not exist);
 * - manifest-default: auto without a state directory to keep a measurement in (replay): the manifest's default;
 * - auto-measured: both builds were timed at this start and the faster kept;
 * - auto-cached: the choice measured at an earlier start on this machine, read from precision.json;
 * - only-loadable: auto with two candidates, but one of them could not be loaded (its error is logged).
 */
export type PrecisionReason = 'explicit' | 'only-candidate' | 'manifest-default' | 'auto-measured' | 'auto-cached' | 'only-loadable';

/** INT8 must beat FP32 by this fraction of the FP32 median to be chosen: FP32 is the accuracy reference, so a tie goes to it. */
export const INT8_MIN_GAIN = 0.05;

export interface AutoCandidates {
  /** One or two builds; the first is the manifest's default. */
  readonly entries: readonly ModelEntry[];
  /** Why there is only one, for the log; undefined when there are two. */
  readonly single?: string;
}

/**
 * The builds `auto` may choose from for a role: the manifest's default, and when that is an INT8 file, the FP32 build
 * of the same model (the reference, always allowed). The manifest records the gate as the default flag: the model
 * build (scripts/models/build.ts) makes an INT8 file the default exactly when it passed its accuracy gate, so an FP32
 * default means its INT8 twin failed it (blazeface) and is never a candidate. The face embedder keeps its default
 * build: the similarity score (edge/identity/score.ts) is calibrated for it and stored gallery embeddings come from it.
 */
export function autoCandidates(manifest: Manifest, role: ModelRole, source?: string): AutoCandidates {
  const chosen = selectModel(manifest, role, undefined, source);
  if (role === 'face-embedder') return { entries: [chosen], single: `the similarity score is calibrated for ${chosen.name}` };
  if (chosen.precision === 'fp32') return { entries: [chosen], single: `${chosen.name} is the default: the INT8 build did not pass its accuracy gate or does not exist` };
  const reference = manifest.models.find((model) => model.role === role && model.model === chosen.model && model.precision === 'fp32' && model.inputOf === undefined);
  if (reference === undefined) return { entries: [chosen], single: `${chosen.model} has no FP32 build` };
  return { entries: [chosen, reference] };
}

/** The precision a setting names, undefined for auto (then the manifest's default, for tools that never measure). */
export function namedPrecision(setting: PrecisionSetting): ModelPrecision | undefined {
  return setting === 'auto' ? undefined : setting;
}

export interface Medians {
  readonly int8: number;
  readonly fp32: number;
}

/** The faster build by median run time, INT8 only when at least INT8_MIN_GAIN faster. */
export function choosePrecision(medians: Medians, minGain = INT8_MIN_GAIN): ModelPrecision {
  return medians.int8 <= medians.fp32 * (1 - minGain) ? 'int8' : 'fp32';
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('no samples to take a median of');
  return percentile([...samples].sort((a, b) => a - b), 0.5);
}
