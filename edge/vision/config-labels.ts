import type { PathProblem } from '../config/issues.js';
import { invalidConfig, type LoadedConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { isHuxiaoError } from '../errors.js';
import { manifestFile, readManifest, selectModel } from './manifest.js';
import { namedPrecision } from './precision-choice.js';

/** Edit distance, for suggesting the label a typo was meant to be. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

function unknownLabel(label: string, modelLabels: readonly string[], model: string): string {
  const closest = modelLabels.reduce<{ label: string; distance: number } | undefined>((best, candidate) => {
    const d = distance(label, candidate);
    return best === undefined || d < best.distance ? { label: candidate, distance: d } : best;
  }, undefined);
  const hint = closest !== undefined && closest.distance <= 2 ? ` (did you mean "${closest.label}"?)` : '';
  return `"${label}" is not a class of the detector ${model}${hint}; its classes are listed in models/manifest.json`;
}

export interface DetectorClasses {
  /** The manifest entry's name, e.g. nanodet-int8. */
  readonly model: string;
  readonly labels: readonly string[];
}

/**
 * Every label in the config that the detector can never report, by config path: labels the model has no class for
 * (a typo such as "persn"), and zone, line and rule labels that vision.detector.labels filters out. Without the
 * model's classes only the second kind is checked.
 */
export function labelProblems(config: Config, classes: DetectorClasses | undefined): PathProblem[] {
  const problems: PathProblem[] = [];
  const known = new Set(classes?.labels ?? []);
  const unknown = (label: string, path: PropertyKey[]): boolean => {
    if (classes === undefined || known.has(label)) return false;
    problems.push({ path, message: unknownLabel(label, classes.labels, classes.model) });
    return true;
  };
  const detector = config.vision.detector;
  const reported = new Set(detector.labels);
  const watched = (labels: readonly string[], at: PropertyKey[]): void => {
    labels.forEach((label, index) => {
      const path = [...at, index];
      if (!unknown(label, path) && !reported.has(label)) problems.push({ path, message: `"${label}" is not in vision.detector.labels, so the detector never reports it` });
    });
  };
  detector.labels.forEach((label, index) => unknown(label, ['vision', 'detector', 'labels', index]));
  for (const label of Object.keys(detector.minScoreByLabel)) {
    const path = ['vision', 'detector', 'minScoreByLabel', label];
    if (!unknown(label, path) && !reported.has(label)) problems.push({ path, message: `"${label}" is not in vision.detector.labels, so this score never applies` });
  }
  config.cameras.forEach((camera, c) => {
    camera.zones.forEach((zone, z) => { watched(zone.labels, ['cameras', c, 'zones', z, 'labels']); });
    camera.lines.forEach((line, l) => { watched(line.labels, ['cameras', c, 'lines', l, 'labels']); });
  });
  config.rules.forEach((rule, r) => {
    if ('labels' in rule) watched(rule.labels, ['rules', r, 'labels']);
  });
  return problems;
}

/** The outcome of checkLabels: the detector whose classes were checked, or why its manifest could not be read. */
export type LabelCheck = { readonly model: string } | { readonly unchecked: string };

/**
 * Checks the config's labels against the detector the runtime will load (`check`, `run`, `replay` and a reload all
 * do, so a typo fails fast with exit 2 instead of leaving every camera without detections). Throws CONFIG_INVALID with
 * the path and line of each problem. A manifest that cannot be read is not the config's fault: the model classes are
 * then left unchecked, and the runtime reports the manifest when it starts.
 */
export async function checkLabels(loaded: LoadedConfig): Promise<LabelCheck> {
  const { vision } = loaded.config;
  let classes: DetectorClasses | undefined;
  let outcome: LabelCheck;
  try {
    const path = manifestFile(vision.modelsDir);
    const entry = selectModel(await readManifest(path), 'detector', namedPrecision(vision.precision.detector), path);
    classes = { model: entry.name, labels: entry.labels ?? [] };
    outcome = { model: entry.name };
  } catch (error) {
    if (!isHuxiaoError(error)) throw error;
    outcome = { unchecked: error.message };
  }
  const problems = labelProblems(loaded.config, classes);
  if (problems.length > 0) throw invalidConfig(loaded, problems);
  return outcome;
}
