import type { MotionConfig } from '../config/perception.js';
import { unionBox, type Box } from '../geometry/geometry.js';
import type { RgbImage } from '../ingest/frame.js';

/** What the gate needs of a tracked object; the tracker's tracks fit it, and vision stays below the tracker. */
export interface GatedTrack {
  readonly id: number;
  readonly state: string;
  readonly firstSeenAt: number;
  readonly box: Box;
  /** Has not moved for a while: looked at every `stationarySeconds` instead of every `redetectSeconds`. */
  readonly stationary: boolean;
}

/** Why the detector runs (or not) on a frame. */
export type GateReason = 'first' | 'motion' | 'redetect' | 'lighting' | 'still' | 'disabled';

export interface GatePlan {
  readonly run: boolean;
  /** Region to search, in frame pixels; absent means the whole frame. */
  readonly roi?: Box;
  readonly reason: GateReason;
  /** Fraction of the picture that changed (after the lighting guard). */
  readonly changed: number;
  /** Where the picture moved (the union of changed cells), when it did. */
  readonly motion?: Box;
}

/** Side of the square cells changed pixels are grouped in; a lone changed pixel is noise, a cell of them is motion. */
const CELL = 4;
const CELL_MIN_CHANGED = 4;
/** Regions are grown by this fraction of their size so a person cut at the edge of the motion is still found whole. */
const MARGIN = 0.25;
/** Above this share of the frame a crop gains nothing over the whole picture. */
const FULL_FRAME = 0.6;

/**
 * Decides per frame whether and where the detector runs: a running-average background of a small grey copy of the
 * picture, a per-pixel threshold, cells of changed pixels with a minimum total area, and a lighting guard that
 * relearns the background when most of the picture changes at once (and compensates a uniform brightness shift).
 * Tracks not looked at for `redetectSeconds` (stationary ones: `stationarySeconds`) are searched anyway, so a person
 * standing still stays tracked. A plan is a proposal: the caller says with `ran()` when the detector did run on it.
 */
export class MotionGate {
  readonly #config: MotionConfig;
  #background: Float32Array | undefined;
  #grey: Float32Array | undefined;
  #small = { width: 0, height: 0, scaleX: 1, scaleY: 1 };
  /** The frame size the small picture and its sample offsets were made for. */
  #frame = { width: 0, height: 0 };
  #samples: SampleOffsets = { rows: new Int32Array(0), cols: new Int32Array(0) };
  readonly #lookedAt = new Map<number, number>();

  constructor(config: MotionConfig) {
    this.#config = config;
  }

  plan(image: RgbImage, tracks: readonly GatedTrack[], ts: number): GatePlan {
    if (!this.#config.enabled) return { run: true, reason: 'disabled', changed: 0 };
    const grey = this.#downscale(image);
    const background = this.#background;
    if (background === undefined || background.length !== grey.length) {
      this.#background = Float32Array.from(grey);
      return { run: true, reason: 'first', changed: 1 };
    }
    const { cells, changedFraction } = this.#changedCells(grey, background);
    this.#learn(grey, background);
    if (changedFraction > this.#config.lightingFraction) {
      background.set(grey);
      return { run: true, reason: 'lighting', changed: changedFraction };
    }

    const redetectMs = this.#config.redetectSeconds * 1000;
    const stationaryMs = this.#config.stationarySeconds * 1000;
    const due = tracks.filter((t) => t.state === 'tentative' || ts - (this.#lookedAt.get(t.id) ?? t.firstSeenAt) >= (t.stationary ? stationaryMs : redetectMs));
    const motion = changedFraction >= this.#config.minArea ? unionBox(cells) : undefined;
    if (motion === undefined && due.length === 0) return { run: false, reason: 'still', changed: changedFraction };

    const region = unionBox([...(motion === undefined ? [] : [motion]), ...due.map((t) => t.box)]);
    const roi = region === undefined ? undefined : this.#grow(region, tracks, image);
    return {
      run: true,
      reason: motion === undefined ? 'redetect' : 'motion',
      changed: changedFraction,
      ...(roi === undefined ? {} : { roi }),
      ...(motion === undefined ? {} : { motion }),
    };
  }

  /** The detector ran on `plan`: every track in its region counts as looked at now. */
  ran(plan: GatePlan, tracks: readonly GatedTrack[], ts: number): void {
    for (const t of tracks) if (plan.roi === undefined || centreIn(plan.roi, t.box)) this.#lookedAt.set(t.id, ts);
  }

  /** Forget track ids the tracker dropped. */
  forget(liveIds: ReadonlySet<number>): void {
    for (const id of this.#lookedAt.keys()) if (!liveIds.has(id)) this.#lookedAt.delete(id);
  }

  /** Grows the region by a margin, takes in every track it touches, and gives up cropping when it is most of the frame. */
  #grow(region: Box, tracks: readonly GatedTrack[], image: RgbImage): Box | undefined {
    const mx = (region.x2 - region.x1) * MARGIN + 16;
    const my = (region.y2 - region.y1) * MARGIN + 16;
    let roi: Box = { x1: region.x1 - mx, y1: region.y1 - my, x2: region.x2 + mx, y2: region.y2 + my };
    const touching = tracks.filter((t) => t.box.x2 > roi.x1 && t.box.x1 < roi.x2 && t.box.y2 > roi.y1 && t.box.y1 < roi.y2).map((t) => t.box);
    roi = unionBox([roi, ...touching]) ?? roi;
    roi = { x1: Math.max(0, roi.x1), y1: Math.max(0, roi.y1), x2: Math.min(image.width, roi.x2), y2: Math.min(image.height, roi.y2) };
    const share = ((roi.x2 - roi.x1) * (roi.y2 - roi.y1)) / (image.width * image.height);
    return share >= FULL_FRAME ? undefined : roi;
  }

  #downscale(image: RgbImage): Float32Array {
    const width = Math.min(this.#config.width, image.width);
    const height = Math.max(1, Math.round((image.height * width) / image.width));
    if (this.#grey?.length !== width * height || this.#frame.width !== image.width || this.#frame.height !== image.height) {
      this.#grey = new Float32Array(width * height);
      this.#small = { width, height, scaleX: image.width / width, scaleY: image.height / height };
      this.#frame = { width: image.width, height: image.height };
      this.#samples = sampleOffsets(image.width, width, height, this.#small);
    }
    const grey = this.#grey;
    const { data } = image;
    const { rows, cols } = this.#samples;
    // Four samples per small pixel average out sensor noise at a fraction of the cost of reading every pixel.
    for (let y = 0; y < height; y++) {
      const r0 = rows[2 * y] ?? 0;
      const r1 = rows[2 * y + 1] ?? 0;
      for (let x = 0; x < width; x++) {
        const c0 = cols[2 * x] ?? 0;
        const c1 = cols[2 * x + 1] ?? 0;
        let sum = 0;
        sum += luma(data, r0 + c0);
        sum += luma(data, r0 + c1);
        sum += luma(data, r1 + c0);
        sum += luma(data, r1 + c1);
        grey[y * width + x] = sum / 4;
      }
    }
    return grey;
  }

  #changedCells(grey: Float32Array, background: Float32Array): { cells: Box[]; changedFraction: number } {
    const { width, height, scaleX, scaleY } = this.#small;
    let shift = 0;
    for (let i = 0; i < grey.length; i++) shift += (grey[i] ?? 0) - (background[i] ?? 0);
    shift /= grey.length;
    const threshold = this.#config.threshold;
    const cols = Math.ceil(width / CELL);
    const counts = new Uint16Array(cols * Math.ceil(height / CELL));
    let changed = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        if (Math.abs((grey[i] ?? 0) - (background[i] ?? 0) - shift) > threshold) {
          changed += 1;
          const c = Math.floor(y / CELL) * cols + Math.floor(x / CELL);
          counts[c] = (counts[c] ?? 0) + 1;
        }
      }
    }
    const cells: Box[] = [];
    let inCells = 0;
    counts.forEach((count, c) => {
      if (count < CELL_MIN_CHANGED) return;
      inCells += count;
      const cx = (c % cols) * CELL;
      const cy = Math.floor(c / cols) * CELL;
      cells.push({ x1: cx * scaleX, y1: cy * scaleY, x2: (cx + CELL) * scaleX, y2: (cy + CELL) * scaleY });
    });
    // The lighting guard looks at every changed pixel; the motion area only at those in cells (noise removed).
    const total = grey.length;
    return { cells, changedFraction: changed / total > this.#config.lightingFraction ? changed / total : inCells / total };
  }

  #learn(grey: Float32Array, background: Float32Array): void {
    const rate = this.#config.learnRate;
    for (let i = 0; i < grey.length; i++) background[i] = (background[i] ?? 0) + rate * ((grey[i] ?? 0) - (background[i] ?? 0));
  }
}

/** Grey value (BT.601 weights) of the RGB pixel at byte offset `i`. */
function luma(data: Uint8Array, i: number): number {
  return 0.299 * (data[i] ?? 0) + 0.587 * (data[i + 1] ?? 0) + 0.114 * (data[i + 2] ?? 0);
}

/** Byte offsets of the two sample rows and the two sample columns of each small pixel, computed once per frame size. */
interface SampleOffsets {
  readonly rows: Int32Array;
  readonly cols: Int32Array;
}

function sampleOffsets(frameWidth: number, width: number, height: number, scale: { readonly scaleX: number; readonly scaleY: number }): SampleOffsets {
  const rows = new Int32Array(2 * height);
  const cols = new Int32Array(2 * width);
  for (let y = 0; y < height; y++) {
    rows[2 * y] = Math.floor((y + 0.25) * scale.scaleY) * frameWidth * 3;
    rows[2 * y + 1] = Math.floor((y + 0.75) * scale.scaleY) * frameWidth * 3;
  }
  for (let x = 0; x < width; x++) {
    cols[2 * x] = Math.floor((x + 0.25) * scale.scaleX) * 3;
    cols[2 * x + 1] = Math.floor((x + 0.75) * scale.scaleX) * 3;
  }
  return { rows, cols };
}

function centreIn(region: Box, box: Box): boolean {
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  return cx >= region.x1 && cx <= region.x2 && cy >= region.y1 && cy <= region.y2;
}
