/**
 * Binary codes of face vectors for the gallery's prefilter: the sign bits of a random rotation of the vector minus the
 * gallery mean. Face embeddings are far from centred (two strangers already share a cosine of ~0.40 through the mean),
 * so without the mean every code would be nearly the same. The rotation is sign flips followed by a fast
 * Walsh-Hadamard transform, twice: O(d log d) per vector instead of the d^2 of a dense random projection, which keeps
 * the codes of 100,000 persons a matter of seconds at start-up. The Hamming distance of two codes estimates the
 * angle between the centred vectors.
 */

/**
 * Bit counting by shift and mask, in steps a scan can share between words: over 100,000 codes of 8 words, measured in
 * V8 1.1-1.4x faster than a full popcount per word and 1.7-2.4x faster than two 16-bit table lookups. nibbleCounts gives each 4 bits' count (0-4), so the counts of three
 * words still fit a nibble when added; byteCounts folds those into 8-bit counts (up to 24 from three words), which
 * can be added for up to 30 words before a byte overflows; byteSum adds the four bytes.
 */
export function nibbleCounts(word: number): number {
  const pairs = word - ((word >>> 1) & 0x55555555);
  return (pairs & 0x33333333) + ((pairs >>> 2) & 0x33333333);
}

export function byteCounts(nibbles: number): number {
  return (nibbles & 0x0f0f0f0f) + ((nibbles >>> 4) & 0x0f0f0f0f);
}

export function byteSum(bytes: number): number {
  const halves = (bytes & 0x00ff00ff) + ((bytes >>> 8) & 0x00ff00ff);
  return (halves & 0xffff) + (halves >>> 16);
}

/** Hamming distance of `words` 32-bit words of `a` (from `offset`) and `b` (from 0). */
export function hamming(a: Int32Array, offset: number, b: Int32Array, words: number): number {
  let total = 0;
  for (let from = 0; from < words; from += 30) {
    const to = Math.min(words, from + 30);
    let bytes = 0;
    let w = from;
    for (; w + 2 < to; w += 3) {
      const o = offset + w;
      bytes += byteCounts(nibbleCounts((a[o] ?? 0) ^ (b[w] ?? 0)) + nibbleCounts((a[o + 1] ?? 0) ^ (b[w + 1] ?? 0)) + nibbleCounts((a[o + 2] ?? 0) ^ (b[w + 2] ?? 0)));
    }
    let nibbles = 0;
    for (; w < to; w += 1) nibbles += nibbleCounts((a[offset + w] ?? 0) ^ (b[w] ?? 0));
    total += byteSum(bytes + byteCounts(nibbles));
  }
  return total;
}

const ROUNDS = 2;
/** Fixed: the rotation needs to be random with respect to the data, not secret, and the same in every process. */
const SEED = 0x9e3779b9;

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** In place, unnormalized (only signs are kept). Float64: V8 converts every Float32Array access, which doubled the time. */
function fwht(values: Float64Array): void {
  const n = values.length;
  for (let h = 1; h < n; h *= 2) {
    const step = 2 * h;
    for (let i = 0; i < n; i += step) {
      const end = i + h;
      for (let j = i; j < end; j += 1) {
        const a = values[j] ?? 0;
        const b = values[j + h] ?? 0;
        values[j] = a + b;
        values[j + h] = a - b;
      }
    }
  }
}

export class SignCodes {
  /** Rotated length: the vector length rounded up to a power of two (zero-padded). */
  readonly size: number;
  /** 32-bit words of one code: up to 1024 bits, fewer for short vectors. */
  readonly words: number;
  readonly #dimensions: number;
  readonly #signs: Float64Array[];
  readonly #work: Float64Array;

  constructor(dimensions: number) {
    this.#dimensions = dimensions;
    this.size = 2 ** Math.ceil(Math.log2(Math.max(2, dimensions)));
    this.words = Math.max(1, Math.min(this.size, 1024) / 32);
    const random = mulberry32(SEED);
    this.#signs = Array.from({ length: ROUNDS }, () => Float64Array.from({ length: this.size }, () => ((random() & 1) === 0 ? 1 : -1)));
    this.#work = new Float64Array(this.size);
  }

  /** Writes the code of `vector` times `scale` (an int8 template and its scale, or a float query and 1) minus `mean` into `out` at word `offset`. */
  encode(vector: Int8Array | Float32Array, scale: number, mean: Float32Array, out: Int32Array, offset: number): void {
    const work = this.#work;
    const dimensions = this.#dimensions;
    for (let i = 0; i < dimensions; i += 1) work[i] = (vector[i] ?? 0) * scale - (mean[i] ?? 0);
    work.fill(0, dimensions);
    const size = this.size;
    for (const signs of this.#signs) {
      for (let i = 0; i < size; i += 1) work[i] = (work[i] ?? 0) * (signs[i] ?? 1);
      fwht(work);
    }
    for (let w = 0; w < this.words; w += 1) {
      let bits = 0;
      const base = w * 32;
      for (let b = 0; b < 32; b += 1) if ((work[base + b] ?? 0) > 0) bits |= 1 << b;
      out[offset + w] = bits;
    }
  }
}
