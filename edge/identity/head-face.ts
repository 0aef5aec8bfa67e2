import type { RgbImage } from '../ingest/frame.js';
import type { Box } from '../geometry/geometry.js';
import { alignmentLandmarks, type Face, type FaceDetector } from '../vision/face-detector.js';
import type { FaceEmbedder } from '../vision/face-embedder.js';
import type { InferenceScheduler, Urgency } from '../vision/inference-scheduler.js';
import { findFaces } from './face-find.js';
import { measureFace, PROBE_QUALITY, qualityProblems, type FaceQuality, type QualityProblem } from './face-quality.js';

/**
 * Where a person's face is looked for, as fractions of the person box: the top 40% (head and shoulders of a standing
 * person, the head of a seated one in the group photos), widened by 15% of the box width on each side and raised by
 * 5% of its height, because the detector's box often cuts through the hair and the aligned face needs the forehead.
 */
export const HEAD_REGION = { top: 0.4, widen: 0.15, above: 0.05 } as const;

/**
 * A person box smaller than this, in multiples of the probe's minimum face size, cannot hold a usable face: a
 * head-and-shoulders view is about 3 faces tall and 1.5 wide (the group photos), a standing person about 8 tall.
 */
const MIN_BOX_IN_FACES = { height: 3, width: 1.5 } as const;

/** The pixels of a person's head region, copied out of the frame (frames are pooled; the copy outlives it). */
export interface HeadCrop {
  readonly image: RgbImage;
  /** Where the crop lies in the frame, whole pixels. */
  readonly region: Box;
  /** The person box the crop was cut for, frame pixels. */
  readonly person: Box;
}

/** A usable face of a person track in one frame: its quality and embedding (biometric data: never log, never store). */
export interface FaceView {
  readonly at: number;
  readonly quality: FaceQuality;
  readonly embedding: Float32Array;
}

export type FaceMiss = 'no-face' | 'several-faces' | QualityProblem['reason'];

/** True when a person box is big enough for a face of the probe's minimum size. */
export function faceSized(person: Box): boolean {
  const { minSizePx } = PROBE_QUALITY;
  return person.y2 - person.y1 >= MIN_BOX_IN_FACES.height * minSizePx && person.x2 - person.x1 >= MIN_BOX_IN_FACES.width * minSizePx;
}

/** The head region of a person box in whole frame pixels, inside the frame; undefined when nothing of it is. */
export function headRegion(person: Box, width: number, height: number): Box | undefined {
  const w = person.x2 - person.x1;
  const h = person.y2 - person.y1;
  const x1 = Math.max(0, Math.floor(person.x1 - HEAD_REGION.widen * w));
  const y1 = Math.max(0, Math.floor(person.y1 - HEAD_REGION.above * h));
  const x2 = Math.min(width, Math.ceil(person.x2 + HEAD_REGION.widen * w));
  const y2 = Math.min(height, Math.ceil(person.y1 + HEAD_REGION.top * h));
  return x2 - x1 >= 1 && y2 - y1 >= 1 ? { x1, y1, x2, y2 } : undefined;
}

/**
 * Copies a person's head region out of the frame at the frame's own resolution. The frame is the camera's detect
 * picture (ffmpeg scales the stream to detect.width x detect.height), so that is the best resolution the pipeline has;
 * a camera whose faces come out too small needs a larger detect size.
 */
export function cropHead(frame: RgbImage, person: Box): HeadCrop | undefined {
  const region = headRegion(person, frame.width, frame.height);
  if (region === undefined) return undefined;
  const width = region.x2 - region.x1;
  const height = region.y2 - region.y1;
  const data = Buffer.allocUnsafe(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    const from = ((region.y1 + y) * frame.width + region.x1) * 3;
    frame.data.copy(data, y * width * 3, from, from + width * 3);
  }
  return { image: { width, height, data }, region, person };
}

/** Whether a face found in the crop belongs to the person: its centre inside the box, in its upper part. */
function onPerson(face: Face, crop: HeadCrop): boolean {
  const { person, region } = crop;
  const cx = (face.box.x1 + face.box.x2) / 2 + region.x1;
  const cy = (face.box.y1 + face.box.y2) / 2 + region.y1;
  const h = person.y2 - person.y1;
  return cx >= person.x1 && cx <= person.x2 && cy >= person.y1 - HEAD_REGION.above * h && cy <= person.y1 + HEAD_REGION.top * h;
}

/**
 * Finding, checking and embedding the face of one head crop: the one call face identification makes into the face
 * models, so that the inference scheduler admits it as a whole (it runs the face detector, then the embedder).
 * `deferred`: the scheduler refused the run for lack of budget; the models were not touched.
 */
export type FaceWork = (crop: HeadCrop, at: number, camera: string) => Promise<FaceView | FaceMiss | 'deferred'>;

/**
 * Face runs ask the scheduler at the lowest urgency: the budget goes to fence and line detection (urgent) and
 * presence (normal) first, so face work spends what detection leaves, and the low tier's floor (TIER_FLOORS) when
 * detection wants it all: a named warning never waits for the fence to go quiet.
 */
export const FACE_URGENCY: Urgency = 'low';

/**
 * Face runs are charged to an account of their own per camera (`<camera>/faces`), not the camera's: the camera's
 * tokens pay for its detector's next frame, and a face job spending them would delay that frame.
 */
export function faceAccount(camera: string): string {
  return `${camera}/faces`;
}

/**
 * At most one attempt per track in this much frame time while it is unidentified (2.5 a second): consecutive frames
 * of one person are nearly the same view, and the budget is better spent on the other people in the picture. Also
 * the interval a camera's face runs are asked of the scheduler at.
 */
export const ATTEMPT_INTERVAL_MS = 400;

/**
 * FaceWork on the models' sessions. With a scheduler (the live path) each run is admitted first (admittedFaceWork);
 * without one (replay) every run is made, so a replay stays deterministic.
 */
export function faceWork(models: { readonly detector: FaceDetector; readonly embedder: FaceEmbedder }, scheduler?: Pick<InferenceScheduler, 'admit'>): FaceWork {
  const work: FaceWork = (crop, at, camera) => headFace(models, crop, at, camera);
  return scheduler === undefined ? work : admittedFaceWork(work, scheduler);
}

/** `work` run only when the scheduler admits it, at FACE_URGENCY on the camera's face account; `deferred` otherwise. */
export function admittedFaceWork(work: FaceWork, scheduler: Pick<InferenceScheduler, 'admit'>): FaceWork {
  return async (crop, at, camera) => {
    if (!scheduler.admit({ camera: faceAccount(camera), model: 'face-detector', then: 'face-embedder', urgency: FACE_URGENCY, intervalMs: ATTEMPT_INTERVAL_MS }, at)) return 'deferred';
    return work(crop, at, camera);
  };
}

/**
 * The face of a person in the head region: exactly one face centred on the person's upper box (a neighbour's face at
 * the edge of the widened crop does not count; two on the box are ambiguous, e.g. someone close behind), checked
 * against PROBE_QUALITY (size, sharpness, frontalness), aligned and embedded. The detector letterboxes the crop to
 * its input, so a small head is upscaled for it; the face's size is still measured in frame pixels.
 */
export async function headFace(models: { readonly detector: FaceDetector; readonly embedder: FaceEmbedder }, crop: HeadCrop, at: number, camera: string): Promise<FaceView | FaceMiss> {
  const faces = (await findFaces(models.detector, crop.image, { camera })).filter((face) => onPerson(face, crop));
  const face = faces[0];
  if (face === undefined) return 'no-face';
  if (faces.length > 1) return 'several-faces';
  const quality = measureFace(crop.image, face);
  const problem = qualityProblems(quality, PROBE_QUALITY)[0];
  if (problem !== undefined) return problem.reason;
  const embedding = await models.embedder.embed(crop.image, alignmentLandmarks(face), { camera });
  return { at, quality, embedding };
}
