/**
 * Synthetic face embeddings shaped like the real ones, for galleries far larger than the 8 people of shared/faces.
 *
 * A photo of identity i is normalize(m * mean + R(id_i + w)), where `mean` is the direction of the real embeddings'
 * mean, id_i is the identity's own offset (drawn once) and w the photo's variation (drawn per photo), both Gaussian
 * with a power-law spectrum (variance of component k ~ k^-ALPHA) and rotated by a fixed random rotation R (sign flips
 * and Walsh-Hadamard transforms, seeded apart from the gallery index's own rotation). The four constants were fitted
 * to the real portraits (faceres INT8, 39 faces of 8 people): the mean carries the ~0.40 cosine two strangers share,
 * identity and photo variation split the rest so that two photos of one person score a median 0.70, ALPHA sets
 * the spread, i.e. how often strangers come close (real impostor p99 0.56), and the photo variation's own variance
 * varies per photo by +-PHOTO_SPREAD (some photos are worse than others: real same-person p5 0.55). The bench prints the real and the
 * synthetic percentiles side by side on every run. Unlike the real vectors these are not non-negative, which none
 * of the measured methods depends on.
 */
const ALPHA = 0.9;
const MEAN_SHARE = 0.39;
const IDENTITY_SHARE = 0.3;
const PHOTO_SHARE = 0.31;
const PHOTO_SPREAD = 0.6;
const ROUNDS = 3;

export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function fwht(values: Float32Array): void {
  const n = values.length;
  for (let h = 1; h < n; h *= 2) {
    for (let i = 0; i < n; i += 2 * h) {
      for (let j = i; j < i + h; j += 1) {
        const a = values[j] ?? 0;
        const b = values[j + h] ?? 0;
        values[j] = a + b;
        values[j + h] = a - b;
      }
    }
  }
}

export class SyntheticFaces {
  readonly dimensions: number;
  readonly #mean: Float32Array;
  readonly #random: () => number;
  readonly #signs: Float32Array[];
  readonly #identitySd: Float32Array;
  readonly #photoSd: Float32Array;
  #spare: number | undefined;

  /** `meanDirection`: the mean of real embeddings (any length that is a power of two; normalized here). */
  constructor(meanDirection: Float32Array, seed: number) {
    const d = meanDirection.length;
    if (d < 2 || (d & (d - 1)) !== 0) throw new Error(`synthetic faces need a power-of-two length, got ${String(d)}`);
    this.dimensions = d;
    let norm = 0;
    for (const value of meanDirection) norm += value * value;
    this.#mean = meanDirection.map((value) => (value / Math.sqrt(norm)) * Math.sqrt(MEAN_SHARE));
    this.#random = mulberry32(seed);
    this.#signs = Array.from({ length: ROUNDS }, () => Float32Array.from({ length: d }, () => (this.#random() < 0.5 ? -1 : 1)));
    const spectrum = Float64Array.from({ length: d }, (_, k) => (k + 1) ** -ALPHA);
    const total = spectrum.reduce((a, b) => a + b, 0);
    this.#identitySd = Float32Array.from(spectrum, (value) => Math.sqrt((value / total) * IDENTITY_SHARE));
    this.#photoSd = Float32Array.from(spectrum, (value) => Math.sqrt((value / total) * PHOTO_SHARE));
  }

  /** A new person: their identity offset, before rotation. */
  identity(): Float32Array {
    return Float32Array.from(this.#identitySd, (sd) => sd * this.#gauss());
  }

  /** One photo's embedding of `identity`, L2-normalized, written into `out` at `offset` (a new array by default). */
  photo(identity: Float32Array, out = new Float32Array(this.dimensions), offset = 0): Float32Array {
    const d = this.dimensions;
    const quality = Math.sqrt(1 + PHOTO_SPREAD * (2 * this.#random() - 1));
    const work = Float32Array.from(identity, (value, k) => value + (this.#photoSd[k] ?? 0) * quality * this.#gauss());
    const scale = d ** -0.5;
    for (const signs of this.#signs) {
      for (let k = 0; k < d; k += 1) work[k] = (work[k] ?? 0) * (signs[k] ?? 1);
      fwht(work);
      for (let k = 0; k < d; k += 1) work[k] = (work[k] ?? 0) * scale;
    }
    let norm = 0;
    for (let k = 0; k < d; k += 1) {
      const value = (work[k] ?? 0) + (this.#mean[k] ?? 0);
      work[k] = value;
      norm += value * value;
    }
    const inverse = 1 / Math.sqrt(norm);
    for (let k = 0; k < d; k += 1) out[offset + k] = (work[k] ?? 0) * inverse;
    return out;
  }

  #gauss(): number {
    if (this.#spare !== undefined) {
      const value = this.#spare;
      this.#spare = undefined;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.#random();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * this.#random();
    this.#spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }
}
