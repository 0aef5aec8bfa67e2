import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { visionSchema } from '../../../edge/config/vision.js';
import type { RgbImage } from '../../../edge/ingest/frame.js';
import type { Box } from '../../../edge/geometry/geometry.js';
import type { Detection } from '../../../edge/vision/detection.js';
import { Detector } from '../../../edge/vision/detector.js';
import type { ModelSession } from '../../../edge/vision/model-session.js';
import { vtestFrames } from '../../helpers/frames.js';
import { committedSession, matchBoxes } from './models.js';

/**
 * Accuracy of the committed detector files on real footage: INT8 against FP32, and INT8 against people counted by eye
 * (test/fixtures/annotations/vtest-people.json).
 */
interface Annotation {
  readonly index: number;
  readonly people: readonly { readonly box: readonly [number, number, number, number]; readonly note: string }[];
}

const COMPARE_FRAMES = [40, 110, 180, 250, 320, 390, 460, 530, 600, 670, 740];
const config = visionSchema.parse({}).detector;
const { minScore } = config;
/** FP32 boxes down to this score count as "the FP32 model saw someone there" when judging INT8 boxes spurious. */
const SEEN_FLOOR = minScore - 0.15;

const toBox = ([x1, y1, x2, y2]: readonly [number, number, number, number]): Box => ({ x1, y1, x2, y2 });
const persons = (detections: Detection[]): Detection[] => detections.filter((d) => d.label === 'person');

describe('detector accuracy on vtest.avi', () => {
  let fp32: ModelSession;
  let int8: ModelSession;
  let annotations: Annotation[];
  let frames: Map<number, RgbImage>;

  /** All person boxes down to `floor`, so each comparison can apply its own threshold. */
  async function detect(session: ModelSession, index: number, floor: number): Promise<Detection[]> {
    const detector = new Detector({ session, config: { ...config, minScore: floor, labels: ['person'] } });
    detector.start();
    const frame = frames.get(index);
    assert.ok(frame, `frame ${index}`);
    return persons(await detector.detect(frame, { camera: 'test' }));
  }

  before(async () => {
    fp32 = await committedSession('detector', 'fp32');
    int8 = await committedSession('detector', 'int8');
    const json = JSON.parse(await readFile(new URL('../../../../test/fixtures/annotations/vtest-people.json', import.meta.url), 'utf8')) as { frames: Annotation[] };
    annotations = json.frames;
    const indices = [...new Set([...COMPARE_FRAMES, ...annotations.map((a) => a.index)])];
    const images = await vtestFrames(indices);
    frames = new Map(indices.map((index, i) => [index, images[i] as RgbImage]));
  });

  after(async () => {
    await Promise.all([fp32.stop(), int8.stop()]);
  });

  it('INT8 finds the same people as FP32: >= 95% of FP32 person boxes matched at IoU >= 0.8, no new spurious persons', async () => {
    let reference = 0;
    let matched = 0;
    const spurious: string[] = [];
    for (const index of COMPARE_FRAMES) {
      const fp = await detect(fp32, index, SEEN_FLOOR);
      const q = await detect(int8, index, SEEN_FLOOR);
      const fpKept = fp.filter((d) => d.score >= minScore);
      // An FP32 person counts as kept by INT8 when an INT8 box at IoU >= 0.8 survives the same threshold.
      const qKept = q.filter((d) => d.score >= minScore);
      const kept = matchBoxes(fpKept.map((d) => d.box), qKept.map((d) => d.box), 0.8);
      reference += fpKept.length;
      matched += kept.pairs.length;
      // A spurious person: an INT8 box above threshold where FP32 saw no person at all (IoU >= 0.5, score >= floor).
      const seen = matchBoxes(qKept.map((d) => d.box), fp.map((d) => d.box), 0.5);
      for (const i of seen.unmatchedA) spurious.push(`frame ${index}: ${JSON.stringify(qKept[i])}`);
    }
    const ratio = matched / reference;
    process.stderr.write(`INT8 vs FP32: ${matched}/${reference} FP32 person boxes matched at IoU >= 0.8 (${(ratio * 100).toFixed(1)}%), ${spurious.length} spurious\n`);
    assert.ok(reference >= 40, `expected at least 40 FP32 person boxes over ${COMPARE_FRAMES.length} frames, got ${reference}`);
    assert.ok(ratio >= 0.95, `only ${matched} of ${reference} FP32 person boxes matched`);
    assert.deepEqual(spurious, []);
  });

  it('INT8 finds >= 90% of the people counted by eye that are taller than 40 px', async () => {
    let tall = 0;
    let found = 0;
    const missed: string[] = [];
    for (const annotation of annotations) {
      const detections = await detect(int8, annotation.index, minScore);
      const truth = annotation.people.map((p) => toBox(p.box));
      const { pairs } = matchBoxes(truth, detections.map((d) => d.box), 0.4);
      const hit = new Set(pairs.map(([i]) => i));
      annotation.people.forEach((person, i) => {
        if (person.box[3] - person.box[1] <= 40) return;
        tall += 1;
        if (hit.has(i)) found += 1;
        else missed.push(`frame ${annotation.index}: ${person.note}`);
      });
    }
    process.stderr.write(`by-eye recall (INT8, score >= ${minScore}): ${found}/${tall}; missed: ${missed.join('; ') || 'none'}\n`);
    assert.ok(annotations.length >= 5);
    assert.ok(found / tall >= 0.9, `recall ${found}/${tall}; missed ${missed.join('; ')}`);
  });
});
