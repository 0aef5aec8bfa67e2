import { z } from 'zod';
import { ANCHORS, polygonProblem } from '../geometry/geometry.js';
import type { DeepReadonly } from './schema.js';

const areaId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'expected 1-64 letters, digits, "_" or "-", starting with a letter or digit');

const point = z
  .tuple([z.number().min(0), z.number().min(0)])
  .describe('[x, y]: pixels of the detect resolution (origin top-left), or both within 0..1 for a drawing normalized to the picture.');

const labels = (fallback: string[], what: string) =>
  z.array(z.string().min(1)).min(1).max(80).default(fallback).describe(`Object classes (COCO labels such as person, car, bicycle) ${what}.`);

const minScore = z.number().min(0).max(1).default(0.4).describe('Detections with a lower confidence are ignored here.');
const minArea = z.number().min(0).default(0).describe('Boxes smaller than this many pixels (of the detect resolution) are ignored here; filters far-away specks.');
const anchor = z.enum(ANCHORS).default('bottom-center').describe('Point of the box that stands for the object: bottom-center is the feet, which is right for ground zones.');

export const zoneSchema = z
  .object({
    id: areaId.describe('Zone id, unique on its camera; rules name it.'),
    name: z.string().max(200).optional().describe('Human-readable name, e.g. "pond bank".'),
    polygon: z
      .array(point)
      .max(100)
      .superRefine((polygon, ctx) => {
        const problem = polygonProblem(polygon);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe('Corners of the zone in drawing order; at least 3, not crossing itself. All coordinates within 0..1 means normalized.'),
    labels: labels(['person'], 'this zone watches'),
    minScore,
    minArea,
    anchor,
    inertiaFrames: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(3)
      .describe('Consecutive frames an object must be inside (or outside) before it counts as entered (or left); stops boxes jittering on the edge from flickering in and out.'),
  })
  .strict()
  .describe('A polygon on the camera picture that rules watch.');

export const lineSchema = z
  .object({
    id: areaId.describe('Line id, unique on its camera; rules name it.'),
    name: z.string().max(200).optional().describe('Human-readable name, e.g. "east wall top".'),
    a: point.describe('First end of the line. Directions are named as seen standing at a, looking towards b.'),
    b: point.describe('Second end of the line.'),
    labels: labels(['person'], 'this line watches'),
    minScore,
    minArea,
    anchor,
  })
  .strict()
  .refine((line) => line.a[0] !== line.b[0] || line.a[1] !== line.b[1], { message: 'the two ends of a line must differ', path: ['b'] })
  .describe('A directed segment on the camera picture; a track whose anchor moves across it crosses it.');

export const zonesSchema = z.array(zoneSchema).max(64).default([]).describe('Zones drawn on this camera picture.');
export const linesSchema = z.array(lineSchema).max(64).default([]).describe('Lines drawn on this camera picture.');

export type ZoneConfig = DeepReadonly<z.output<typeof zoneSchema>>;
export type LineConfig = DeepReadonly<z.output<typeof lineSchema>>;
