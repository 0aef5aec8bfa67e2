export interface Point {
  readonly x: number;
  readonly y: number;
}

/**
 * A 2-D similarity transform (rotation, uniform scale, translation) as the matrix
 * [a -b tx; b a ty]: x' = a x - b y + tx, y' = b x + a y + ty.
 */
export interface Similarity {
  readonly a: number;
  readonly b: number;
  readonly tx: number;
  readonly ty: number;
}

/**
 * Least-squares similarity mapping `from` onto `to` (Umeyama 1991, restricted to 2-D with no reflection).
 * In 2-D the rotation-and-scale part has the closed form a = Sxx+Syy, b = Sxy'-Syx' over the centred
 * cross-covariance divided by the source variance, which is what Umeyama's SVD reduces to here.
 */
export function fitSimilarity(from: readonly Point[], to: readonly Point[]): Similarity {
  if (from.length !== to.length || from.length < 2) throw new Error(`expected two equal lists of at least 2 points, got ${from.length} and ${to.length}`);
  const n = from.length;
  let fx = 0;
  let fy = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < n; i += 1) {
    fx += from[i]?.x ?? 0;
    fy += from[i]?.y ?? 0;
    tx += to[i]?.x ?? 0;
    ty += to[i]?.y ?? 0;
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  let dot = 0;
  let cross = 0;
  let variance = 0;
  for (let i = 0; i < n; i += 1) {
    const px = (from[i]?.x ?? 0) - fx;
    const py = (from[i]?.y ?? 0) - fy;
    const qx = (to[i]?.x ?? 0) - tx;
    const qy = (to[i]?.y ?? 0) - ty;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    variance += px * px + py * py;
  }
  if (variance === 0) throw new Error('the source points coincide; no similarity fits them');
  const a = dot / variance;
  const b = cross / variance;
  return { a, b, tx: tx - (a * fx - b * fy), ty: ty - (b * fx + a * fy) };
}

export function applySimilarity(t: Similarity, p: Point): Point {
  return { x: t.a * p.x - t.b * p.y + t.tx, y: t.b * p.x + t.a * p.y + t.ty };
}

export function invertSimilarity(t: Similarity): Similarity {
  const det = t.a * t.a + t.b * t.b;
  if (det === 0) throw new Error('a degenerate similarity (scale 0) has no inverse');
  const a = t.a / det;
  const b = -t.b / det;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}
