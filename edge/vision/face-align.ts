import type { RgbImage } from '../ingest/frame.js';
import { applySimilarity, fitSimilarity, invertSimilarity, type Point, type Similarity } from './similarity.js';

/** Landmarks used for alignment, in the picture's pixels. */
export interface AlignmentLandmarks {
  /** The eye on the picture's left (the subject's right eye in a frontal face). */
  readonly leftEye: Point;
  readonly rightEye: Point;
  readonly nose: Point;
  readonly mouth: Point;
}

/**
 * The ArcFace / InsightFace 112x112 five-point template (eyes, nose tip, mouth corners) that MobileFaceNet-style
 * embedders are trained on; the face detector gives the mouth centre, so the two corners are averaged into one point.
 */
export const ALIGNED_SIZE = 112;
const TEMPLATE: AlignmentLandmarks = {
  leftEye: { x: 38.2946, y: 51.6963 },
  rightEye: { x: 73.5318, y: 51.5014 },
  nose: { x: 56.0252, y: 71.7366 },
  mouth: { x: (41.5493 + 70.7299) / 2, y: (92.3655 + 92.2041) / 2 },
};

function points(landmarks: AlignmentLandmarks): Point[] {
  return [landmarks.leftEye, landmarks.rightEye, landmarks.nose, landmarks.mouth];
}

/**
 * Scales the template when the embedder's input is not 112 px square (faceres: 224; on the fixture faces looser
 * placements, 0.7-0.85x around the centre, told people apart no better).
 */
function templateFor(size: number): Point[] {
  const k = size / ALIGNED_SIZE;
  return points(TEMPLATE).map((p) => ({ x: p.x * k, y: p.y * k }));
}

/** The similarity taking picture coordinates to the aligned face's coordinates. */
export function alignmentTransform(landmarks: AlignmentLandmarks, size: number): Similarity {
  return fitSimilarity(points(landmarks), templateFor(size));
}

/**
 * Warps the face into a size x size RGB picture on the template, sampling the source bilinearly (pixel centres at
 * integer coordinates, as the template assumes); outside the picture is black, as in the reference alignment.
 */
export function alignFace(image: RgbImage, landmarks: AlignmentLandmarks, size = ALIGNED_SIZE): RgbImage {
  const inverse = invertSimilarity(alignmentTransform(landmarks, size));
  const out = Buffer.alloc(size * size * 3);
  const { width, height, data } = image;
  const at = (x: number, y: number, c: number): number => (x < 0 || y < 0 || x >= width || y >= height ? 0 : (data[(y * width + x) * 3 + c] ?? 0));
  for (let v = 0; v < size; v += 1) {
    for (let u = 0; u < size; u += 1) {
      const { x, y } = applySimilarity(inverse, { x: u, y: v });
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      for (let c = 0; c < 3; c += 1) {
        const top = at(x0, y0, c) * (1 - fx) + at(x0 + 1, y0, c) * fx;
        const bottom = at(x0, y0 + 1, c) * (1 - fx) + at(x0 + 1, y0 + 1, c) * fx;
        out[(v * size + u) * 3 + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { width: size, height: size, data: out };
}
