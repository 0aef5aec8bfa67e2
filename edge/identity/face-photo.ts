import sharp from 'sharp';
import { HuxiaoError } from '../errors.js';
import type { RgbImage } from '../ingest/frame.js';
import type { Box } from '../geometry/geometry.js';
import { alignmentLandmarks, type FaceDetector } from '../vision/face-detector.js';
import type { FaceEmbedder } from '../vision/face-embedder.js';
import { findFaces } from './face-find.js';
import { describeProblem, ENROLLMENT_QUALITY, faceSizePx, measureFace, qualityProblems, type FaceQuality, type QualityProblem, type QualityThresholds } from './face-quality.js';

export type FacePhotoReason = 'unreadable' | 'no-face' | 'several-faces' | QualityProblem['reason'];

/** A photo that cannot give a gallery face: `photo` names the file as the user gave it, `reason` what is wrong. */
export class FacePhotoError extends HuxiaoError {
  readonly photo: string;
  readonly reason: FacePhotoReason;

  constructor(photo: string, reason: FacePhotoReason, detail: string, options?: { cause?: unknown }) {
    super('FACE_PHOTO', `${photo}: ${detail}`, options);
    this.name = 'FacePhotoError';
    this.photo = photo;
    this.reason = reason;
  }
}

/** The one usable face of a photo: where it is, how good it is, and its embedding (biometric data: never log it). */
export interface FacePhoto {
  /** The photo's name as messages give it. */
  readonly photo: string;
  readonly box: Box;
  readonly quality: FaceQuality;
  readonly embedding: Float32Array;
}

export interface FacePhotoOptions {
  /** Default: ENROLLMENT_QUALITY. */
  readonly thresholds?: QualityThresholds;
  /** How messages name the photo (default: its path, or "photo" for bytes), e.g. as a CSV wrote it. */
  readonly name?: string;
}

export interface FacePhotoModels {
  readonly detector: FaceDetector;
  readonly embedder: FaceEmbedder;
}

/**
 * Pictures above this many pixels are refused unread: a phone photo has 12-50 MP, and a crafted small file that
 * decodes to gigapixels must not take the memory of a box that runs cameras (sharp's own default allows 268 MP).
 */
export const MAX_PICTURE_PIXELS = 64_000_000;

/**
 * Any picture sharp decodes (JPEG, PNG, WebP, ...), from a file or from bytes (an upload), upright by its EXIF
 * orientation, as RGB24; greyscale becomes RGB. `name` is how errors name it (default: the path).
 */
export async function readPicture(source: string | Buffer, name = typeof source === 'string' ? source : 'photo'): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(source, { limitInputPixels: MAX_PICTURE_PIXELS }).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { width: info.width, height: info.height, data };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new FacePhotoError(name, 'unreadable', `not an image or unreadable (${why})`, { cause: error });
  }
}

function widths(sizes: readonly number[]): string {
  const text = sizes.map((size) => size.toFixed(0));
  return text.length <= 1 ? text.join('') : `${text.slice(0, -1).join(', ')} and ${text.at(-1) ?? ''}`;
}

/**
 * Photo -> exactly one usable face -> embedding, or a FacePhotoError saying what is wrong. Faces smaller than the
 * minimum size do not count against "one person" (a passer-by far behind); two faces above it do. Only the checks
 * run here: nothing is stored, so enrollment validates every photo of a person before keeping any.
 */
export async function facePhoto(models: FacePhotoModels, source: string | Buffer, options: FacePhotoOptions = {}): Promise<FacePhoto> {
  const photo = options.name ?? (typeof source === 'string' ? source : 'photo');
  const thresholds = options.thresholds ?? ENROLLMENT_QUALITY;
  const image = await readPicture(source, photo);
  const faces = await findFaces(models.detector, image);
  const largest = faces[0];
  if (largest === undefined) throw new FacePhotoError(photo, 'no-face', 'no face found');
  const usable = faces.filter((face) => faceSizePx(face) >= thresholds.minSizePx);
  if (usable.length > 1) {
    throw new FacePhotoError(photo, 'several-faces', `${faces.length} faces found, ${widths(faces.map(faceSizePx))} px wide; the photo must show one person`);
  }
  const face = usable[0] ?? largest;
  const quality = measureFace(image, face);
  const problems = qualityProblems(quality, thresholds);
  const first = problems[0];
  if (first !== undefined) {
    const found = faces.length > 1 ? `${faces.length} faces found, the largest ${faceSizePx(largest).toFixed(0)} px wide; ` : '';
    throw new FacePhotoError(photo, first.reason, found + problems.map(describeProblem).join('; '));
  }
  const embedding = await models.embedder.embed(image, alignmentLandmarks(face));
  return { photo, box: face.box, quality, embedding };
}
