import type { RgbImage } from '../ingest/frame.js';
import type { Box } from '../geometry/geometry.js';
import { alignFace, ALIGNED_SIZE, type AlignmentLandmarks } from '../vision/face-align.js';
import { alignmentLandmarks, type Face } from '../vision/face-detector.js';

/**
 * How usable one detected face is for recognition, from the picture and the detector's landmarks alone (no model
 * run). Enrollment checks photos with these; the track identification picks the frames worth embedding with them.
 * docs/identity.md lists the measured values behind each threshold (scripts/identity/calibrate.ts prints them).
 */
export interface FaceQuality {
  /** Width of the detector's face box, in picture pixels. */
  readonly sizePx: number;
  /** Variance of the Laplacian over the variance of the grey levels, on the inner face aligned to 112 px. */
  readonly sharpness: number;
  /**
   * Angle of the eye line from the horizontal, degrees (positive: the picture-right eye is lower). The alignment undoes
   * roll, so the bound only refuses a head lying sideways; the measured faces tilt at most 26 deg.
   */
  readonly tiltDeg: number;
  /** Nose tip's offset from the eye midpoint along the eye line, in eye distances (0 frontal, ~0.5 strongly turned). */
  readonly noseOffset: number;
}

export interface QualityThresholds {
  readonly minSizePx: number;
  readonly minSharpness: number;
  readonly maxTiltDeg: number;
  readonly maxNoseOffset: number;
}

/**
 * Gallery photos: the reference for years, so only clearly good faces. Measured (docs/identity.md): the 40 portraits'
 * faces are 134-150 px, sharpness >= 0.086, tilt <= 13.2 deg, nose offset <= 0.19; a Gaussian blur of sigma 3 px
 * brings every portrait to sharpness <= 0.036 and its true match rate at 90 from 76% to 37%; faces downscaled to
 * ~40 px fall from 76% to 58%. The group photos' faces (52-114 px, turned up to nose offset 0.50) pass 15 of 23.
 */
export const ENROLLMENT_QUALITY: QualityThresholds = { minSizePx: 80, minSharpness: 0.06, maxTiltDeg: 30, maxNoseOffset: 0.3 };

/**
 * Camera frames worth embedding (person-track crops). Faces ~24 px wide reach 90 against their gallery in 12.5% of
 * pairs, ~40 px ones in 58%, so 32 px is the floor. An upsampled 40 px face still measures sharpness >= 0.035; 0.03
 * drops 35 of 40 portraits blurred with sigma 3 px and the out-of-focus diner of bbt2 (0.010). Faces turned to nose
 * offset 0.46-0.50 still scored 88.8-92.5 against their gallery (bbt2); no profile views were measured.
 */
export const PROBE_QUALITY: QualityThresholds = { minSizePx: 32, minSharpness: 0.03, maxTiltDeg: 45, maxNoseOffset: 0.6 };

/** The inner face on the 112 px template (eyes at y 52, mouth at y 92): skin, eyes, nose, mouth; little hair or background. */
const INNER: Box = { x1: 24, y1: 36, x2: 88, y2: 100 };

export function faceSizePx(face: Face): number {
  return face.box.x2 - face.box.x1;
}

/**
 * Variance of the 4-neighbour Laplacian of the aligned grey face, divided by the variance of its grey levels so that
 * a darker or low-contrast photo of a sharp face still measures sharp (darkening a portrait to 40% leaves it within a
 * few percent; the raw variance drops to 16%). On the template's scale a face smaller than 112 px is upsampled, so
 * small faces measure soft as well: check the size first.
 */
export function sharpness(image: RgbImage, landmarks: AlignmentLandmarks): number {
  const aligned = alignFace(image, landmarks, ALIGNED_SIZE);
  const size = ALIGNED_SIZE;
  const grey = new Float64Array(size * size);
  for (let i = 0; i < grey.length; i += 1) {
    grey[i] = 0.299 * (aligned.data[i * 3] ?? 0) + 0.587 * (aligned.data[i * 3 + 1] ?? 0) + 0.114 * (aligned.data[i * 3 + 2] ?? 0);
  }
  const at = (x: number, y: number): number => grey[y * size + x] ?? 0;
  let sum = 0;
  let sumSq = 0;
  let lapSum = 0;
  let lapSq = 0;
  let n = 0;
  for (let y = INNER.y1; y < INNER.y2; y += 1) {
    for (let x = INNER.x1; x < INNER.x2; x += 1) {
      const value = at(x, y);
      const laplacian = at(x - 1, y) + at(x + 1, y) + at(x, y - 1) + at(x, y + 1) - 4 * value;
      sum += value;
      sumSq += value * value;
      lapSum += laplacian;
      lapSq += laplacian * laplacian;
      n += 1;
    }
  }
  const greyVariance = sumSq / n - (sum / n) ** 2;
  const lapVariance = lapSq / n - (lapSum / n) ** 2;
  // A flat patch (a uniform wall mistaken for a face) has neither detail nor contrast: nothing to recognize.
  return greyVariance < 1 ? 0 : lapVariance / greyVariance;
}

/** Eye-line tilt and the nose's sideways offset: in-plane roll and a proxy for how far the head is turned. */
export function frontalness(landmarks: AlignmentLandmarks): { tiltDeg: number; noseOffset: number } {
  const { leftEye, rightEye, nose } = landmarks;
  const dx = rightEye.x - leftEye.x;
  const dy = rightEye.y - leftEye.y;
  const eyeDistanceSq = dx * dx + dy * dy;
  if (eyeDistanceSq === 0) return { tiltDeg: 0, noseOffset: Number.POSITIVE_INFINITY };
  const midX = (leftEye.x + rightEye.x) / 2;
  const midY = (leftEye.y + rightEye.y) / 2;
  const along = ((nose.x - midX) * dx + (nose.y - midY) * dy) / eyeDistanceSq;
  return { tiltDeg: (Math.atan2(dy, dx) * 180) / Math.PI, noseOffset: Math.abs(along) };
}

export function measureFace(image: RgbImage, face: Face): FaceQuality {
  const landmarks = alignmentLandmarks(face);
  return { sizePx: faceSizePx(face), sharpness: sharpness(image, landmarks), ...frontalness(landmarks) };
}

export type QualityProblem =
  | { readonly reason: 'too-small'; readonly sizePx: number; readonly minSizePx: number }
  | { readonly reason: 'too-blurred'; readonly sharpness: number; readonly minSharpness: number }
  | { readonly reason: 'not-frontal'; readonly tiltDeg: number; readonly noseOffset: number; readonly maxTiltDeg: number; readonly maxNoseOffset: number };

/** What keeps a face from the thresholds, in the order to fix them (a bigger face is also a sharper one); empty when usable. */
export function qualityProblems(quality: FaceQuality, thresholds: QualityThresholds): QualityProblem[] {
  const problems: QualityProblem[] = [];
  if (quality.sizePx < thresholds.minSizePx) problems.push({ reason: 'too-small', sizePx: quality.sizePx, minSizePx: thresholds.minSizePx });
  if (quality.sharpness < thresholds.minSharpness) problems.push({ reason: 'too-blurred', sharpness: quality.sharpness, minSharpness: thresholds.minSharpness });
  if (Math.abs(quality.tiltDeg) > thresholds.maxTiltDeg || quality.noseOffset > thresholds.maxNoseOffset) {
    const { tiltDeg, noseOffset } = quality;
    problems.push({ reason: 'not-frontal', tiltDeg, noseOffset, maxTiltDeg: thresholds.maxTiltDeg, maxNoseOffset: thresholds.maxNoseOffset });
  }
  return problems;
}

export function describeProblem(problem: QualityProblem): string {
  switch (problem.reason) {
    case 'too-small':
      return `the face is too small: ${problem.sizePx.toFixed(0)} px wide, at least ${problem.minSizePx} px needed`;
    case 'too-blurred':
      return `the face is too blurred: sharpness ${problem.sharpness.toFixed(3)}, at least ${problem.minSharpness} needed`;
    case 'not-frontal':
      return (
        `the face is not frontal enough: eye line tilted ${Math.abs(problem.tiltDeg).toFixed(0)} deg (at most ${problem.maxTiltDeg}), ` +
        `nose ${problem.noseOffset.toFixed(2)} eye distances off centre (at most ${problem.maxNoseOffset})`
      );
  }
}
