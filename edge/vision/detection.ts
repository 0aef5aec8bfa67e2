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
