import sharp, { type Sharp } from 'sharp';
import type { RgbImage } from '../../edge/ingest/frame.js';
import { findFaces } from '../../edge/identity/face-find.js';
import type { FacePhotoModels } from '../../edge/identity/face-photo.js';
import { readPicture } from '../../edge/identity/face-photo.js';
import { faceSizePx, measureFace, type FaceQuality } from '../../edge/identity/face-quality.js';
import { alignmentLandmarks, type Face } from '../../edge/vision/face-detector.js';
import { GROUP_PHOTOS, groupPhotoPath, labelOf, portraits, UNKNOWN, type GroupFaceLabel, type Person } from '../../test/helpers/face-set.js';

/** One embedded face of the face set; `photo` names the picture it came from (same photo => not a pair). */
export interface Sample {
  readonly person: Person | typeof UNKNOWN;
  readonly photo: string;
  readonly quality: FaceQuality;
  readonly embedding: Float32Array;
}

/** A copy of a portrait as a camera might see it; `faceWidth` is the clean portrait's detected face width. */
export interface Condition {
  readonly name: string;
  readonly label: string;
  degrade(image: RgbImage, faceWidth: number): Promise<RgbImage>;
}

async function raw(pipeline: Sharp): Promise<RgbImage> {
  const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

function pipelineOf(image: RgbImage): Sharp {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
}

/** Scales the whole portrait so its face is about `target` px wide, as a person a few metres from a CCTV camera. */
function downscaled(target: number): Condition['degrade'] {
  return (image, faceWidth) => raw(pipelineOf(image).resize(Math.max(1, Math.round((image.width * target) / faceWidth))));
}

export const CLEAN: Condition = { name: 'clean', label: 'portrait as given', degrade: (image) => Promise.resolve(image) };

/** The probe-side degradations of docs/identity.md, each applied to every portrait and compared with the clean gallery. */
export const DEGRADATIONS: readonly Condition[] = [
  { name: 'face40', label: 'downscaled, face ~40 px wide', degrade: downscaled(40) },
  { name: 'face24', label: 'downscaled, face ~24 px wide', degrade: downscaled(24) },
  { name: 'blur2', label: 'Gaussian blur, sigma 2 px', degrade: (image) => raw(pipelineOf(image).blur(2)) },
  { name: 'blur3', label: 'Gaussian blur, sigma 3 px', degrade: (image) => raw(pipelineOf(image).blur(3)) },
  {
    name: 'jpeg20',
    label: 'JPEG quality 20',
    degrade: async (image) => raw(sharp(await pipelineOf(image).jpeg({ quality: 20 }).toBuffer())),
  },
  { name: 'dark40', label: 'darkened to 40%', degrade: (image) => raw(pipelineOf(image).linear(0.4, 0)) },
];

async function embedFace(models: FacePhotoModels, image: RgbImage, face: Face): Promise<{ quality: FaceQuality; embedding: Float32Array }> {
  return { quality: measureFace(image, face), embedding: await models.embedder.embed(image, alignmentLandmarks(face)) };
}

/**
 * Every portrait under one condition: the largest face found (no quality gate: the distributions must include the
 * faces the gate would refuse), or a miss. Face widths of the clean run drive the downscaled conditions.
 */
export async function portraitSamples(models: FacePhotoModels, condition: Condition, cleanWidths: ReadonlyMap<string, number>): Promise<{ samples: Sample[]; missed: string[] }> {
  const samples: Sample[] = [];
  const missed: string[] = [];
  for (const { person, path } of portraits()) {
    const original = await readPicture(path);
    const image = await condition.degrade(original, cleanWidths.get(path) ?? original.width);
    const [face] = await findFaces(models.detector, image);
    if (face === undefined) {
      missed.push(path);
      continue;
    }
    samples.push({ person, photo: path, ...(await embedFace(models, image, face)) });
  }
  return { samples, missed };
}

export function faceWidths(samples: readonly Sample[]): Map<string, number> {
  return new Map(samples.map((sample) => [sample.photo, sample.quality.sizePx]));
}

/** Every face of the group photos with the label written down for it; unlabelled faces and faces not found are listed. */
export async function groupSamples(models: FacePhotoModels): Promise<{ samples: Sample[]; missed: GroupFaceLabel[]; unlabelled: string[] }> {
  const samples: Sample[] = [];
  const missed: GroupFaceLabel[] = [];
  const unlabelled: string[] = [];
  for (const { file, faces: labels } of GROUP_PHOTOS) {
    const image = await readPicture(groupPhotoPath(file));
    const faces = await findFaces(models.detector, image);
    const seen = new Set<GroupFaceLabel>();
    for (const face of faces) {
      const label = labelOf(labels, face.box);
      if (label === undefined || seen.has(label)) {
        unlabelled.push(`${file} face at (${face.box.x1.toFixed(0)},${face.box.y1.toFixed(0)}) ${faceSizePx(face).toFixed(0)} px`);
        continue;
      }
      seen.add(label);
      samples.push({ person: label.person, photo: `${file}#${label.person}`, ...(await embedFace(models, image, face)) });
    }
    missed.push(...labels.filter((label) => !seen.has(label)));
  }
  return { samples, missed, unlabelled };
}
