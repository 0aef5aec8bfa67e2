/**
 * Binary codes of face vectors for the gallery's prefilter: the sign bits of a random rotation of the vector minus the
 * gallery mean. Face embeddings are far from centred (two strangers already share a cosine of ~0.40 through the mean),
 * so without the mean every code would be nearly the same. The rotation is sign flips followed by a fast
 * Walsh-Hadamard transform, twice: O(d log d) per vector instead of the d^2 of a dense random projection, which keeps
 * the codes of 100,000 persons a matter of seconds at start-up. The Hamming distance of two codes estimates the
 * angle between the centred vectors.
 */

/** Bits per 16-bit value: two lookups count a 32-bit word, faster in V8 than the shift-and-mask popcount. */
export const POPCOUNT16 = ((): Uint8Array => {
  const table = new Uint8Array(65_536);
  for (let i = 1; i < table.length; i += 1) table[i] = (table[i >> 1] ?? 0) + (i & 1);
  return table;
})();

/** Shift-and-mask popcount of a 32-bit word: the stage-1 scan unrolls eight of these without table lookups. */
export function popcount32(word: number): number {
  let x = word - ((word >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
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
