import sharp from 'sharp';
import type { RgbImage } from '../ingest/frame.js';
import type { Face, FaceDetector } from '../vision/face-detector.js';
import { faceSizePx } from './face-quality.js';

/**
 * Grey border around the whole picture, as a fraction of its longer side. The detector letterboxes the picture to its
 * input, so a tight portrait's face fills the whole input, larger than the faces BlazeFace was trained on: without the
 * border it found 1-4 faces (spurious ones up to score 0.68) in the 150 px portraits and missed leonard5; with 0.15
 * exactly one in each of the 40 and every face of the five group photos; 0.1 left spurious faces, 0.25 added one in bbt1.
 */
export const PICTURE_MARGIN = 0.15;

/** Mid grey: the detector's normalization maps it to about zero, "no signal". */
const BORDER = { r: 128, g: 128, b: 128 } as const;

function shifted(face: Face, dx: number, dy: number): Face {
  return {
    score: face.score,
    box: { x1: face.box.x1 + dx, y1: face.box.y1 + dy, x2: face.box.x2 + dx, y2: face.box.y2 + dy },
    landmarks: face.landmarks.map((point) => ({ x: point.x + dx, y: point.y + dy })),
  };
}

function clipped(face: Face, width: number, height: number): Face {
  const { box } = face;
  return { ...face, box: { x1: Math.max(0, box.x1), y1: Math.max(0, box.y1), x2: Math.min(width, box.x2), y2: Math.min(height, box.y2) } };
}

/**
 * Every face of a photo, largest first, found on the whole picture inside a grey border; boxes are clipped to the
 * picture (a tight portrait's face box is the picture's width). Faces much smaller than 1/15 of the longer side (the
 * smallest relative size found in the group photos, ~13 px in the detector's 256 px input) may go unseen: in an
 * enrollment photo such a face is a passer-by, not the subject. Tiling the picture to find them was tried and
 * dropped: on bbt1 upscaled to 4032 px the tiles found "faces" of 155-178 px in the background clutter (score
 * 0.50-0.62), which would turn a good one-person photo into "several faces". `camera` is the inference queue's
 * fairness key when the picture is a camera's (the head region of a person track).
 */
export async function findFaces(detector: FaceDetector, image: RgbImage, options: { readonly camera?: string } = {}): Promise<Face[]> {
  const margin = Math.round(Math.max(image.width, image.height) * PICTURE_MARGIN);
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extend({ top: margin, bottom: margin, left: margin, right: margin, background: BORDER })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const faces = await detector.detect({ width: info.width, height: info.height, data }, options);
  return faces.map((face) => clipped(shifted(face, -margin, -margin), image.width, image.height)).sort((a, b) => faceSizePx(b) - faceSizePx(a));
}
