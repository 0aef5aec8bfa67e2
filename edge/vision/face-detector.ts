import type { FaceDetectorConfig } from '../config/vision.js';
import type { RgbImage } from '../ingest/frame.js';
import { decodeBlazeFace } from './blazeface-decode.js';
import type { Box } from '../geometry/geometry.js';
import type { AlignmentLandmarks } from './face-align.js';
import { unletterbox, unletterboxPoint } from './letterbox.js';
import type { ModelSession } from './model-session.js';
import { area } from '../geometry/geometry.js';
import { nms } from './nms.js';
import { runOnRegion } from './region-inference.js';
import type { Point } from './similarity.js';

/** One face in a picture. Landmarks never leave the process: they are biometric data. */
export interface Face {
  readonly score: number;
  /** In the picture's pixels, clipped to the searched region. */
  readonly box: Box;
  /** BlazeFace order: the subject's right eye, left eye, nose tip, mouth centre, right ear, left ear; picture pixels. */
  readonly landmarks: readonly Point[];
}

export interface FaceDetectorOptions {
  /** A started session of a face detector model (role "face-detector"). */
  readonly session: ModelSession;
  readonly config: FaceDetectorConfig;
}

/** The four landmarks the embedder aligns on; the subject's right eye is on the picture's left. */
export function alignmentLandmarks(face: Face): AlignmentLandmarks {
  const [rightEye, leftEye, nose, mouth] = face.landmarks;
  if (rightEye === undefined || leftEye === undefined || nose === undefined || mouth === undefined) {
    throw new Error(`a face needs at least 4 landmarks, got ${face.landmarks.length}`);
  }
  return { leftEye: rightEye, rightEye: leftEye, nose, mouth };
}

/** BlazeFace on a picture (an enrollment photo, or a region such as the upper part of a person's box). */
export class FaceDetector {
  readonly #options: FaceDetectorOptions;

  constructor(options: FaceDetectorOptions) {
    this.#options = options;
  }

  async detect(image: RgbImage, options: { readonly roi?: Box; readonly camera?: string } = {}): Promise<Face[]> {
    const { session, config } = this.#options;
    const run = await runOnRegion(session, image, options);
    if (run === undefined) return [];
    const { outputs, transform, size } = run;
    const candidates = decodeBlazeFace(outputs, size.width, config.minScore);
    return nms(candidates, config.nmsIou, config.maxFaces)
      .map((face) => ({
        score: face.score,
        box: unletterbox(face.box, transform),
        landmarks: face.landmarks.map((point) => unletterboxPoint(point.x, point.y, transform)),
      }))
      .filter((face) => area(face.box) > 0);
  }
}
