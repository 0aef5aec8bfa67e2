import type { Box } from '../geometry/geometry.js';
import type { RgbImage } from '../ingest/frame.js';

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
