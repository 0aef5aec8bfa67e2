/**
 * Minimum-cost assignment (Hungarian method with potentials, O(n^2 m)) for a rectangular cost matrix.
 * Greedy matching by IoU mis-assigns when two people cross, which is exactly when ids must not swap,
 * so the tracker uses the optimal assignment. Pairs whose cost is at or above `forbidden` are never returned.
 *
 * The method pairs every row of the smaller side, forbidden pairs included, so costs are capped at `forbidden`:
 * a forbidden pair then costs exactly what leaving its row unmatched costs (as lapjv's cost_limit does in SORT and
 * ByteTrack). Uncapped, a row with only forbidden pairs would take the one whose cost is least high and could push
 * an allowed pair out of the optimum.
 */
export function assign(cost: readonly (readonly number[])[], forbidden: number): [row: number, col: number][] {
  const rows = cost.length;
  const cols = cost[0]?.length ?? 0;
  if (rows === 0 || cols === 0) return [];
  const transposed = rows > cols;
  const n = transposed ? cols : rows;
  const m = transposed ? rows : cols;
  const at = (i: number, j: number): number => Math.min(forbidden, (transposed ? cost[j]?.[i] : cost[i]?.[j]) ?? forbidden);

  // 1-based arrays as in the textbook formulation; column 0 is the virtual start.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const match = new Int32Array(m + 1);
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    match[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = match[j0] ?? 0;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j] === 1) continue;
        const reduced = at(i0 - 1, j - 1) - (u[i0] ?? 0) - (v[j] ?? 0);
        if (reduced < (minv[j] ?? Infinity)) {
          minv[j] = reduced;
          way[j] = j0;
        }
        if ((minv[j] ?? Infinity) < delta) {
          delta = minv[j] ?? Infinity;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j] === 1) {
          const row = match[j] ?? 0;
          u[row] = (u[row] ?? 0) + delta;
          v[j] = (v[j] ?? 0) - delta;
        } else {
          minv[j] = (minv[j] ?? Infinity) - delta;
        }
      }
      j0 = j1;
    } while ((match[j0] ?? 0) !== 0);
    do {
      const j1 = way[j0] ?? 0;
      match[j0] = match[j1] ?? 0;
      j0 = j1;
    } while (j0 !== 0);
  }

  const pairs: [number, number][] = [];
  for (let j = 1; j <= m; j++) {
    const i = match[j] ?? 0;
    if (i === 0 || at(i - 1, j - 1) >= forbidden) continue;
    pairs.push(transposed ? [j - 1, i - 1] : [i - 1, j - 1]);
  }
  return pairs.sort((a, b) => a[0] - b[0]);
}
