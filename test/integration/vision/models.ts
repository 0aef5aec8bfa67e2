import { DEFAULT_MODELS_DIR, readManifest, selectModel, type ModelPrecision, type ModelRole } from '../../../edge/vision/manifest.js';
import { ModelSession } from '../../../edge/vision/model-session.js';
import { iou, type Box } from '../../../edge/geometry/geometry.js';

/** A started session of the committed model for a role and precision (tests never build models). */
export async function committedSession(role: ModelRole, precision: ModelPrecision): Promise<ModelSession> {
  const manifest = await readManifest(`${DEFAULT_MODELS_DIR}manifest.json`);
  const session = new ModelSession({ modelsDir: DEFAULT_MODELS_DIR, entry: selectModel(manifest, role, precision), threads: 2, queueSize: 8 });
  await session.start();
  return session;
}

/** Greedy one-to-one matching by IoU (best pairs first); returns the matched pairs' indices. */
export function matchBoxes(a: readonly Box[], b: readonly Box[], minIou: number): { pairs: [number, number][]; unmatchedA: number[]; unmatchedB: number[] } {
  const scored: [number, number, number][] = [];
  a.forEach((boxA, i) => {
    b.forEach((boxB, j) => {
      const overlap = iou(boxA, boxB);
      if (overlap >= minIou) scored.push([overlap, i, j]);
    });
  });
  scored.sort((x, y) => y[0] - x[0]);
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  const pairs: [number, number][] = [];
  for (const [, i, j] of scored) {
    if (usedA.has(i) || usedB.has(j)) continue;
    usedA.add(i);
    usedB.add(j);
    pairs.push([i, j]);
  }
  return { pairs, unmatchedA: a.map((_, i) => i).filter((i) => !usedA.has(i)), unmatchedB: b.map((_, j) => j).filter((j) => !usedB.has(j)) };
}
