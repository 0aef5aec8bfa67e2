import { cosine } from '../../edge/vision/face-embedder.js';
import { percentile } from '../../edge/vision/latency-window.js';
import { UNKNOWN } from '../../test/helpers/face-set.js';
import type { Sample } from './face-samples.js';

/** Cosines of genuine (same person, different photos) and impostor (different people) pairs. */
export interface PairSet {
  readonly genuine: number[];
  readonly impostor: number[];
}

function isGenuine(a: Sample, b: Sample): boolean {
  return a.person === b.person && a.person !== UNKNOWN;
}

/** Every unordered pair of one set (portrait against portrait). */
export function withinPairs(samples: readonly Sample[]): PairSet {
  const out: PairSet = { genuine: [], impostor: [] };
  samples.forEach((a, i) => {
    for (const b of samples.slice(i + 1)) (isGenuine(a, b) ? out.genuine : out.impostor).push(cosine(a.embedding, b.embedding));
  });
  return out;
}

/** Every probe against every gallery photo, except a probe against the photo it was made from. */
export function probePairs(probes: readonly Sample[], gallery: readonly Sample[]): PairSet {
  const out: PairSet = { genuine: [], impostor: [] };
  for (const probe of probes) {
    for (const photo of gallery) {
      if (probe.photo === photo.photo) continue;
      (isGenuine(probe, photo) ? out.genuine : out.impostor).push(cosine(probe.embedding, photo.embedding));
    }
  }
  return out;
}

/** A probe's best cosine per gallery person (identification against a gallery of several photos per person). */
export function bestPerPerson(probe: Sample, gallery: readonly Sample[]): Map<string, number> {
  const best = new Map<string, number>();
  for (const photo of gallery) {
    if (photo.photo === probe.photo) continue;
    const value = cosine(probe.embedding, photo.embedding);
    best.set(photo.person, Math.max(best.get(photo.person) ?? Number.NEGATIVE_INFINITY, value));
  }
  return best;
}

/** Person-level pairs: each probe against each gallery person's best photo. */
export function personPairs(probes: readonly Sample[], gallery: readonly Sample[]): PairSet {
  const out: PairSet = { genuine: [], impostor: [] };
  for (const probe of probes) {
    for (const [person, value] of bestPerPerson(probe, gallery)) (person === probe.person ? out.genuine : out.impostor).push(value);
  }
  return out;
}

export function merge(sets: readonly PairSet[]): PairSet {
  return { genuine: sets.flatMap((set) => set.genuine), impostor: sets.flatMap((set) => set.impostor) };
}

export interface Spread {
  readonly n: number;
  readonly min: number;
  readonly p1: number;
  readonly p5: number;
  readonly median: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (fraction: number): number => percentile(sorted, fraction);
  return { n: sorted.length, min: sorted[0] ?? 0, p1: at(0.01), p5: at(0.05), median: at(0.5), p95: at(0.95), p99: at(0.99), p999: at(0.999), max: sorted.at(-1) ?? 0 };
}
