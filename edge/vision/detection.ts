import type { RgbImage } from '../ingest/frame.js';

/** Axis-aligned box in frame pixels; x1 < x2, y1 < y2. */
export interface Box {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/** One object found by the detector in one frame. */
export interface Detection {
  /** COCO label, e.g. "person", "car", "knife". */
  readonly label: string;
  readonly classId: number;
  readonly score: number;
  readonly box: Box;
}

/**
 * What the perception stage needs from a detector: one picture in, detections in that picture's pixels out.
 * `roi` restricts the search to a region (the motion gate's union of moving areas and tracked objects);
 * boxes are still returned in full-picture pixels.
 */
export interface ObjectDetector {
  detect(image: RgbImage, options?: { readonly roi?: Box; readonly camera?: string }): Promise<Detection[]>;
}
