/**
 * One decoded picture from a camera, at the camera's detect resolution, in RGB24 (width * height * 3 bytes).
 *
 * Buffers are pooled and reused: `data` is valid while the frame is referenced. A consumer that needs the pixels
 * after its synchronous handler returns calls `retain()` and later exactly one `release()` per retain; a consumer
 * that keeps pixels for long (a snapshot of an alert) copies them instead.
 */
export interface Frame {
  readonly camera: string;
  /** Per camera, from 0, increasing by one per delivered frame, also across reconnects. */
  readonly seq: number;
  /** Milliseconds since the epoch: wall clock for live cameras, anchor + media time for a replayed file. */
  readonly ts: number;
  readonly width: number;
  readonly height: number;
  readonly data: Buffer;
  retain(): void;
  release(): void;
}

/** An owned RGB24 picture, detached from the frame pool (for snapshots and tests). */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Buffer;
}
