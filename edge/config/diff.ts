import { Secret } from './secret.js';
import type { Config } from './schema.js';

export type Section = Exclude<keyof Config, 'version'>;

const SECTIONS: readonly Section[] = ['gateway', 'cameras', 'vision', 'rules', 'alerts', 'storage', 'identity', 'mqtt', 'audio', 'actions', 'gpio'];

/** What a reload does to the running cameras, by camera id. */
export interface CameraChanges {
  /** Enabled now and not running before (new, or newly enabled). */
  readonly added: readonly string[];
  /** Running before and gone or disabled now. */
  readonly removed: readonly string[];
  /** Running before and now, with a different camera config of their own (URL, password, zones...): restarted. */
  readonly changed: readonly string[];
  /** Own config unchanged, but the rules that name the camera differ: its rule engine is replaced, the stream kept. */
  readonly rulesChanged: readonly string[];
}

/**
 * Deep equality of two config values. Secrets compare by value: their JSON is "[redacted]", so comparing the JSON
 * text would never see a changed password. Keys whose value is undefined count as absent.
 */
export function sameConfig(a: unknown, b: unknown): boolean {
  if (a instanceof Secret || b instanceof Secret) return a instanceof Secret && b instanceof Secret && a.sameAs(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => sameConfig(item, b[index]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) => sameConfig(a[key], b[key]));
  }
  return Object.is(a, b);
}

/** The top-level sections that differ between two configs. */
export function changedSections(before: Config, after: Config): Section[] {
  return SECTIONS.filter((section) => !sameConfig(before[section], after[section]));
}

/** How the running cameras of `before` become those of `after`. Disabled cameras do not run, so they count as absent. */
export function cameraChanges(before: Config, after: Config): CameraChanges {
  const running = new Map(before.cameras.filter((camera) => camera.enabled).map((camera) => [camera.id, camera]));
  const wanted = new Map(after.cameras.filter((camera) => camera.enabled).map((camera) => [camera.id, camera]));
  const rulesOf = (config: Config, camera: string) => config.rules.filter((rule) => rule.camera === camera);
  const kept = [...wanted.keys()].filter((id) => running.has(id));
  const changed = kept.filter((id) => !sameConfig(running.get(id), wanted.get(id)));
  return {
    added: [...wanted.keys()].filter((id) => !running.has(id)),
    removed: [...running.keys()].filter((id) => !wanted.has(id)),
    changed,
    rulesChanged: kept.filter((id) => !changed.includes(id) && !sameConfig(rulesOf(before, id), rulesOf(after, id))),
  };
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object';
}
