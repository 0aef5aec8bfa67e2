import { z } from 'zod';

export const motionSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Run the detector only where (and when) the picture changes; off means the detector sees every frame whole.'),
    width: z.number().int().min(32).max(640).default(160).describe('Width in pixels of the grey picture the motion gate compares; smaller is cheaper and less sensitive.'),
    threshold: z.number().int().min(1).max(255).default(25).describe('Grey-level difference from the background that counts as a changed pixel.'),
    minArea: z.number().min(0).max(1).default(0.002).describe('Fraction of the picture that must change before it counts as motion.'),
    lightingFraction: z
      .number()
      .min(0.05)
      .max(1)
      .default(0.5)
      .describe('When more than this fraction changes at once (lights switched, sun behind a cloud) the background is relearned instead of reporting motion everywhere.'),
    learnRate: z.number().gt(0).max(1).default(0.05).describe('How fast the background absorbs changes (0..1 per frame); objects that stop become background at this rate.'),
    redetectSeconds: z
      .number()
      .min(0)
      .max(60)
      .default(1)
      .describe('Tracked objects are re-detected at least this often even when nothing moves, so a person standing still is not lost.'),
    stationarySeconds: z
      .number()
      .min(1)
      .max(300)
      .default(10)
      .describe(
        'Objects that have stayed in one place for 3 s (a guard at the post, a parked car) are re-checked only this often instead of every redetectSeconds, and kept as tracks in between; anything that moves near them is detected at once.',
      ),
  })
  .strict()
  .default({ enabled: true, width: 160, threshold: 25, minArea: 0.002, lightingFraction: 0.5, learnRate: 0.05, redetectSeconds: 1, stationarySeconds: 10 })
  .describe('Cheap motion detection that decides whether and where the detector runs.');

export const trackerSchema = z
  .object({
    highScore: z.number().min(0).max(1).default(0.5).describe('Detections at or above this score are matched first and may start new tracks.'),
    lowScore: z.number().min(0).max(1).default(0.15).describe('Detections between this and highScore only keep existing tracks alive (partial occlusion).'),
    matchIou: z.number().min(0.01).max(1).default(0.2).describe('Minimum overlap (IoU) between a predicted track box and a detection for them to match.'),
    confirmFrames: z.number().int().min(1).max(30).default(3).describe('Detector runs a new track must be matched in before it counts (rules see only confirmed tracks).'),
    lostSeconds: z.number().min(0.1).max(60).default(2).describe('A track not matched for this long is dropped.'),
    maxSpeed: z
      .number()
      .min(0.1)
      .max(10)
      .default(1.5)
      .describe(
        'Fastest plausible motion, in box heights per second. A track whose predicted box no longer overlaps any detection (frames skipped under load, a missed detection) is found again by distance from where it was last seen, up to this speed times the time since.',
      ),
  })
  .strict()
  .default({ highScore: 0.5, lowScore: 0.15, matchIou: 0.2, confirmFrames: 3, lostSeconds: 2, maxSpeed: 1.5 })
  .describe('Multi-object tracker: association of detections to tracks by overlap, then by distance after gaps.');

export type MotionConfig = z.output<typeof motionSchema>;
export type TrackerConfig = z.output<typeof trackerSchema>;
