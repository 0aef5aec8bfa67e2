import { join, resolve } from 'node:path';
import { packageRoot } from './footage.js';
import type { Box } from '../../edge/geometry/geometry.js';

/**
 * The shared face set (see its README.md): 8 people x 5 portraits (150 px, mostly greyscale) and 5 group photos of
 * the same people. $HUXIAO_FACES_DIR, else ../shared/faces beside the repository.
 */
export function facesDir(): string {
  return process.env.HUXIAO_FACES_DIR ?? resolve(packageRoot(), '..', 'shared', 'faces');
}

export const PEOPLE = ['amy', 'bernadette', 'howard', 'leonard', 'penny', 'raj', 'sheldon', 'stuart'] as const;
export type Person = (typeof PEOPLE)[number];
export const PORTRAITS_PER_PERSON = 5;

export interface Portrait {
  readonly person: Person;
  /** 1..5 */
  readonly n: number;
  readonly path: string;
}

export function portraitPath(person: Person, n: number): string {
  return join(facesDir(), person, `${person}${n}.png`);
}

export function portraits(): Portrait[] {
  return PEOPLE.flatMap((person) => Array.from({ length: PORTRAITS_PER_PERSON }, (_, i) => ({ person, n: i + 1, path: portraitPath(person, i + 1) })));
}

/** Someone in a group photo who is none of the 8 (a diner in the background of bbt2). */
export const UNKNOWN = 'unknown';

export interface GroupFaceLabel {
  readonly person: Person | typeof UNKNOWN;
  /** A point inside the face (near the nose), in the photo's pixels. */
  readonly x: number;
  readonly y: number;
}

/**
 * Who is where, written down by looking at each photo (left to right; bbt4 back row then front row). Every face the
 * detector finds in them is one of these; stuart is in none of them.
 */
export const GROUP_PHOTOS: readonly { readonly file: string; readonly faces: readonly GroupFaceLabel[] }[] = [
  {
    file: 'bbt1.jpg',
    faces: [
      { person: 'raj', x: 251, y: 202 },
      { person: 'leonard', x: 517, y: 221 },
      { person: 'howard', x: 781, y: 204 },
      { person: 'sheldon', x: 1053, y: 156 },
    ],
  },
  {
    file: 'bbt2.jpg',
    faces: [
      { person: UNKNOWN, x: 26, y: 125 },
      { person: 'leonard', x: 129, y: 187 },
      { person: 'sheldon', x: 424, y: 181 },
    ],
  },
  {
    file: 'bbt3.jpg',
    faces: [
      { person: 'sheldon', x: 62, y: 69 },
      { person: 'howard', x: 178, y: 127 },
      { person: 'penny', x: 281, y: 135 },
      { person: 'raj', x: 394, y: 145 },
      { person: 'leonard', x: 519, y: 139 },
    ],
  },
  {
    file: 'bbt4.jpg',
    faces: [
      { person: 'amy', x: 123, y: 86 },
      { person: 'raj', x: 278, y: 106 },
      { person: 'bernadette', x: 616, y: 127 },
      { person: 'leonard', x: 105, y: 327 },
      { person: 'penny', x: 299, y: 294 },
      { person: 'sheldon', x: 516, y: 247 },
    ],
  },
  {
    file: 'bbt5.jpg',
    faces: [
      { person: 'raj', x: 149, y: 219 },
      { person: 'penny', x: 255, y: 93 },
      { person: 'sheldon', x: 483, y: 212 },
      { person: 'leonard', x: 614, y: 109 },
      { person: 'howard', x: 764, y: 164 },
    ],
  },
];

export function groupPhotoPath(file: string): string {
  return join(facesDir(), file);
}

/** The label whose point lies inside a face box; undefined for a face nobody wrote down (a detector change to look at). */
export function labelOf(labels: readonly GroupFaceLabel[], box: Box): GroupFaceLabel | undefined {
  const inside = labels.filter((label) => label.x >= box.x1 && label.x <= box.x2 && label.y >= box.y1 && label.y <= box.y2);
  return inside.length === 1 ? inside[0] : undefined;
}
