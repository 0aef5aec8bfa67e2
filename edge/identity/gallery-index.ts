import { byteCounts, byteSum, hamming, nibbleCounts, SignCodes } from './gallery-codes.js';

export interface IndexMatch {
  readonly id: string;
  /** Cosine of the query with the person's template, from its int8 form (within ~1e-3 of the float value). */
  readonly similarity: number;
}

export interface IndexShares {
  /** Share of the gallery kept by the 256-bit scan. */
  readonly stage1: number;
  /** Share kept by the 1024-bit distance, re-ranked exactly. */
  readonly stage2: number;
}

/**
 * Share of the gallery each stage keeps, measured with `npm run bench:gallery` on synthetic galleries shaped like the
 * real embeddings: with these, the top-1 agrees with an exact float search on >= 99% of genuine queries at 100,000
 * persons. Stage 1 (256 bits) is cheap and coarse, so it keeps many; stage 2 (1024 bits) keeps what the exact int8
 * re-rank can afford.
 */
export const DEFAULT_SHARES: IndexShares = { stage1: 0.16, stage2: 0.01 };
/** Re-ranked at least: below ~4 x this many persons the stages cost more than they save. */
const MIN_RERANK = 256;
const STAGE1_WORDS = 8;

/**
 * The in-memory search index of one gallery list: per person an int8 copy of the template (1 byte a value and a
 * scale) and a 1024-bit sign code. A search scans the first 256 bits of every code (Hamming distance, 8 words),
 * then all 1024 bits of the best shares.stage1, and re-ranks the best shares.stage2 exactly on the int8 vectors. Small
 * galleries are re-ranked whole. Built from the decrypted templates at start; plaintext lives only in this memory.
 */
export class GalleryIndex {
  readonly dimensions: number;
  readonly #shares: IndexShares;
  readonly #codes: SignCodes;
  readonly #slots = new Map<string, number>();
  #ids: string[] = [];
  #vectors: Int8Array;
  #scales: Float32Array;
  #stage1: Int32Array;
  #stage2: Int32Array;
  #mean: Float32Array;
  /** Per-search scratch, as long as the capacity: a search allocates nothing proportional to the gallery. */
  #distances = new Uint16Array(0);
  #firstKept = new Int32Array(0);
  #secondKept = new Int32Array(0);
  #code: Int32Array;
  /** Size of the gallery when the mean was taken; the codes are redone from a new mean when it has doubled. */
  #meanCount = 0;
  /** While loading many persons, codes wait for the mean of them all (see bulk()). */
  #bulk = false;

  /** `shares`: the bench measures others; the gallery uses the defaults. */
  constructor(dimensions: number, shares: IndexShares = DEFAULT_SHARES) {
    this.dimensions = dimensions;
    this.#shares = shares;
    this.#codes = new SignCodes(dimensions);
    this.#code = new Int32Array(this.#codes.words);
    this.#mean = new Float32Array(dimensions);
    this.#vectors = new Int8Array(0);
    this.#scales = new Float32Array(0);
    this.#stage1 = new Int32Array(0);
    this.#stage2 = new Int32Array(0);
  }

  get size(): number {
    return this.#ids.length;
  }

  /** Bytes of the typed arrays in use (the id strings and the Map add ~100 bytes a person). */
  get bytes(): number {
    return this.#vectors.byteLength + this.#scales.byteLength + this.#stage1.byteLength + this.#stage2.byteLength + this.#mean.byteLength;
  }

  /**
   * Loads many persons at once: room for `count` is made up front (no growing copies), and the codes are made once,
   * from the mean of them all, when `fill` returns, instead of again at every doubling.
   */
  bulk(count: number, fill: () => void): void {
    this.#grow(count, count);
    this.#bulk = true;
    try {
      fill();
    } finally {
      this.#bulk = false;
      this.#recenter();
    }
  }

  has(id: string): boolean {
    return this.#slots.has(id);
  }

  /** Adds or replaces a person's template (L2-normalized, `dimensions` long). */
  set(id: string, template: Float32Array): void {
    if (template.length !== this.dimensions) throw new Error(`template of ${String(template.length)} values in an index of ${String(this.dimensions)}`);
    let slot = this.#slots.get(id);
    if (slot === undefined) {
      slot = this.#ids.length;
      this.#grow(slot + 1);
      this.#ids.push(id);
      this.#slots.set(id, slot);
    }
    const d = this.dimensions;
    let max = 0;
    for (let i = 0; i < d; i += 1) max = Math.max(max, Math.abs(template[i] ?? 0));
    const scale = max > 0 ? max / 127 : 1;
    const inverse = 1 / scale;
    const vectors = this.#vectors;
    for (let i = 0, o = slot * d; i < d; i += 1) vectors[o + i] = Math.round((template[i] ?? 0) * inverse);
    this.#scales[slot] = scale;
    if (this.#bulk) return;
    if (this.#ids.length >= 2 * this.#meanCount) this.#recenter();
    else this.#encode(slot);
  }

  /** Removes a person; their int8 template is overwritten, not just forgotten. */
  delete(id: string): boolean {
    const slot = this.#slots.get(id);
    if (slot === undefined) return false;
    const last = this.#ids.length - 1;
    const d = this.dimensions;
    const lastId = this.#ids[last] ?? id;
    if (slot !== last) {
      this.#vectors.copyWithin(slot * d, last * d, (last + 1) * d);
      this.#scales[slot] = this.#scales[last] ?? 1;
      this.#stage1.copyWithin(slot * STAGE1_WORDS, last * STAGE1_WORDS, (last + 1) * STAGE1_WORDS);
      const w2 = this.#stage2Words;
      this.#stage2.copyWithin(slot * w2, last * w2, (last + 1) * w2);
      this.#ids[slot] = lastId;
      this.#slots.set(lastId, slot);
    }
    this.#vectors.fill(0, last * d, (last + 1) * d);
    this.#ids.pop();
    this.#slots.delete(id);
    return true;
  }

  /** The `k` persons most similar to `query` (L2-normalized), best first. */
  search(query: Float32Array, k: number): IndexMatch[] {
    const n = this.#ids.length;
    if (n === 0 || k <= 0) return [];
    const rerank = Math.max(MIN_RERANK, Math.ceil(n * this.#shares.stage2), k);
    if (rerank >= n || this.#stage2Words === 0) return this.#rerank(query, undefined, n, k);
    const code = new Int32Array(this.#codes.words);
    this.#codes.encode(query, 1, this.#mean, code, 0);
    const first = Math.max(Math.ceil(n * this.#shares.stage1), 4 * rerank);
    const stage1 = first >= n ? undefined : this.#firstKept;
    const kept = stage1 === undefined ? n : this.#stage1Scan(code, first);
    return this.#rerank(query, this.#secondKept, this.#stage2Scan(code, stage1, kept, rerank), k);
  }

  get #stage2Words(): number {
    return this.#codes.words - STAGE1_WORDS;
  }

  /** Hamming distances on the first 256 bits of every code; the nearest `keep` slots go to #firstKept. */
  #stage1Scan(code: Int32Array, keep: number): number {
    const n = this.#ids.length;
    const codes = this.#stage1;
    const distances = this.#distances;
    const histogram = new Uint32Array(STAGE1_WORDS * 32 + 1);
    const [q0 = 0, q1 = 0, q2 = 0, q3 = 0, q4 = 0, q5 = 0, q6 = 0, q7 = 0] = code;
    // The eight words unrolled, three to a nibble sum: this loop is most of a search's time at 100,000 persons.
    for (let p = 0, o = 0; p < n; p += 1, o += STAGE1_WORDS) {
      const a = nibbleCounts((codes[o] ?? 0) ^ q0) + nibbleCounts((codes[o + 1] ?? 0) ^ q1) + nibbleCounts((codes[o + 2] ?? 0) ^ q2);
      const b = nibbleCounts((codes[o + 3] ?? 0) ^ q3) + nibbleCounts((codes[o + 4] ?? 0) ^ q4) + nibbleCounts((codes[o + 5] ?? 0) ^ q5);
      const c = nibbleCounts((codes[o + 6] ?? 0) ^ q6) + nibbleCounts((codes[o + 7] ?? 0) ^ q7);
      const distance = byteSum(byteCounts(a) + byteCounts(b) + byteCounts(c));
      distances[p] = distance;
      histogram[distance] = (histogram[distance] ?? 0) + 1;
    }
    return keepBelow(distances, undefined, n, boundary(histogram, keep), this.#firstKept);
  }

  /**
   * Full 1024-bit distances of the slots stage 1 kept (every slot when it was skipped); the nearest `keep` go to
   * #secondKept. A kept slot's first 256 bits are already counted in #distances.
   */
  #stage2Scan(code: Int32Array, slots: Int32Array | undefined, count: number, keep: number): number {
    const codes = this.#stage2;
    const words = this.#stage2Words;
    const distances = this.#distances;
    const query = code.subarray(STAGE1_WORDS);
    const histogram = new Uint32Array(this.#codes.words * 32 + 1);
    for (let c = 0; c < count; c += 1) {
      const p = slots === undefined ? c : (slots[c] ?? 0);
      const first = slots === undefined ? hamming(this.#stage1, p * STAGE1_WORDS, code, STAGE1_WORDS) : (distances[p] ?? 0);
      const distance = first + hamming(codes, p * words, query, words);
      distances[p] = distance;
      histogram[distance] = (histogram[distance] ?? 0) + 1;
    }
    return keepBelow(distances, slots, count, boundary(histogram, keep), this.#secondKept);
  }

  /** Exact int8 dot products of the given slots (all when undefined); the best `k`. */
  #rerank(query: Float32Array, slots: Int32Array | undefined, count: number, k: number): IndexMatch[] {
    const d = this.dimensions;
    const vectors = this.#vectors;
    const best: { slot: number; similarity: number }[] = [];
    for (let c = 0; c < count; c += 1) {
      const slot = slots === undefined ? c : (slots[c] ?? 0);
      const o = slot * d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let i = 0;
      for (; i + 3 < d; i += 4) {
        s0 += (query[i] ?? 0) * (vectors[o + i] ?? 0);
        s1 += (query[i + 1] ?? 0) * (vectors[o + i + 1] ?? 0);
        s2 += (query[i + 2] ?? 0) * (vectors[o + i + 2] ?? 0);
        s3 += (query[i + 3] ?? 0) * (vectors[o + i + 3] ?? 0);
      }
      for (; i < d; i += 1) s0 += (query[i] ?? 0) * (vectors[o + i] ?? 0);
      const similarity = (s0 + s1 + s2 + s3) * (this.#scales[slot] ?? 1);
      if (best.length < k || similarity > (best[best.length - 1]?.similarity ?? -Infinity)) {
        let at = best.length;
        while (at > 0 && (best[at - 1]?.similarity ?? -Infinity) < similarity) at -= 1;
        best.splice(at, 0, { slot, similarity });
        if (best.length > k) best.pop();
      }
    }
    return best.map(({ slot, similarity }) => ({ id: this.#ids[slot] ?? '', similarity }));
  }

  #grow(needed: number, exactly?: number): void {
    const capacity = this.#scales.length;
    if (needed <= capacity) return;
    // A quarter more, not double: at 100,000 persons a doubling would leave up to 100 MB allocated and unused.
    const next = exactly ?? Math.max(needed, Math.ceil(capacity * 1.25), 64);
    const d = this.dimensions;
    const grow = <T extends Int8Array | Float32Array | Int32Array>(old: T, make: (length: number) => T, per: number): T => {
      const fresh = make(next * per);
      fresh.set(old);
      // The old copy of the templates is garbage now; zero it so it does not linger in the heap until collected.
      old.fill(0);
      return fresh;
    };
    this.#vectors = grow(this.#vectors, (length) => new Int8Array(length), d);
    this.#scales = grow(this.#scales, (length) => new Float32Array(length), 1);
    this.#stage1 = grow(this.#stage1, (length) => new Int32Array(length), STAGE1_WORDS);
    this.#stage2 = grow(this.#stage2, (length) => new Int32Array(length), Math.max(0, this.#stage2Words));
    this.#distances = new Uint16Array(next);
    this.#firstKept = new Int32Array(next);
    this.#secondKept = new Int32Array(next);
  }

  /** Takes the mean of the current templates and redoes every code from it. */
  #recenter(): void {
    const n = this.#ids.length;
    const d = this.dimensions;
    const mean = new Float64Array(d);
    for (let p = 0; p < n; p += 1) {
      const scale = this.#scales[p] ?? 1;
      for (let i = 0; i < d; i += 1) mean[i] = (mean[i] ?? 0) + (this.#vectors[p * d + i] ?? 0) * scale;
    }
    this.#mean = Float32Array.from(mean, (sum) => sum / n);
    this.#meanCount = n;
    for (let p = 0; p < n; p += 1) this.#encode(p);
  }

  #encode(slot: number): void {
    const d = this.dimensions;
    const code = this.#code;
    this.#codes.encode(this.#vectors.subarray(slot * d, (slot + 1) * d), this.#scales[slot] ?? 1, this.#mean, code, 0);
    this.#stage1.set(code.subarray(0, STAGE1_WORDS), slot * STAGE1_WORDS);
    if (this.#stage2Words > 0) this.#stage2.set(code.subarray(STAGE1_WORDS), slot * this.#stage2Words);
  }
}

/**
 * The smallest distance at which `histogram` holds at least `keep` values: the scans count their distances as they
 * go, so the nearest `keep` are found in O(n) where a sort needs O(n log n); ties at the boundary are all kept.
 */
function boundary(histogram: Uint32Array, keep: number): number {
  let threshold = 0;
  for (let total = 0; threshold < histogram.length; threshold += 1) {
    total += histogram[threshold] ?? 0;
    if (total >= keep) break;
  }
  return threshold;
}

/** Writes to `out` the slots (of `slots`, or 0..count-1) at most `threshold` away; returns how many. */
function keepBelow(distances: Uint16Array, slots: Int32Array | undefined, count: number, threshold: number, out: Int32Array): number {
  let n = 0;
  for (let c = 0; c < count; c += 1) {
    const p = slots === undefined ? c : (slots[c] ?? 0);
    if ((distances[p] ?? 0) <= threshold) out[n++] = p;
  }
  return n;
}
