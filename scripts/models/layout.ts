/**
 * Layout bookkeeping. Every converted tensor carries a permutation `perm` with
 * onnxTensor = transpose(tfTensor, perm), i.e. ONNX axis j is TF axis perm[j]. Convolutions want NCHW, so a 4-D NHWC
 * activation lives as perm NCHW; TF Transposes only change the bookkeeping, and a real Transpose is emitted only where an
 * op needs a layout the tensor is not in (a Reshape, a graph output).
 */

/** perm that stores a TF NHWC tensor as ONNX NCHW. */
export const NHWC_TO_NCHW: readonly number[] = [0, 3, 1, 2];

export function identityPerm(rank: number): number[] {
  return Array.from({ length: rank }, (_, i) => i);
}

export function invertPerm(perm: readonly number[]): number[] {
  const inverse = new Array<number>(perm.length).fill(0);
  perm.forEach((axis, j) => {
    inverse[axis] = j;
  });
  return inverse;
}

export function samePerm(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function permuteDims(dims: readonly number[], perm: readonly number[]): number[] {
  return perm.map((axis) => at(dims, axis));
}

/** The ONNX Transpose perm that takes a tensor stored with perm `from` to storage with perm `to`. */
export function transposeBetween(from: readonly number[], to: readonly number[]): number[] {
  const inverse = invertPerm(from);
  return to.map((axis) => at(inverse, axis));
}

/** Storage perm of the result of a TF Transpose(x, tfPerm) when x is stored with `stored`: no data moves. */
export function permAfterTfTranspose(stored: readonly number[], tfPerm: readonly number[]): number[] {
  const inverse = invertPerm(tfPerm);
  return stored.map((axis) => at(inverse, axis));
}

/** Maps a TF axis (negative counts from the end) to the ONNX axis of a tensor stored with `perm`. */
export function onnxAxis(tfAxis: number, perm: readonly number[]): number {
  const axis = tfAxis < 0 ? tfAxis + perm.length : tfAxis;
  const j = perm.indexOf(axis);
  if (j < 0) throw new Error(`axis ${String(tfAxis)} out of range for rank ${String(perm.length)}`);
  return j;
}

/** Row-major transpose of a dense array: result dims are permuteDims(dims, perm). */
export function transposeData<T extends Float32Array | Int32Array>(data: T, dims: readonly number[], perm: readonly number[]): T {
  const rank = dims.length;
  const outDims = permuteDims(dims, perm);
  const inStrides = strides(dims);
  const out = data.slice() as T;
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < data.length; o += 1) {
    let source = 0;
    for (let j = 0; j < rank; j += 1) source += at(index, j) * at(inStrides, at(perm, j));
    out[o] = data[source] as number;
    for (let j = rank - 1; j >= 0; j -= 1) {
      index[j] = at(index, j) + 1;
      if (at(index, j) < at(outDims, j)) break;
      index[j] = 0;
    }
  }
  return out;
}

export function strides(dims: readonly number[]): number[] {
  const result = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i -= 1) result[i] = at(result, i + 1) * at(dims, i + 1);
  return result;
}

export function at(list: readonly number[], i: number): number {
  const value = list[i];
  if (value === undefined) throw new Error(`index ${String(i)} out of range (length ${String(list.length)})`);
  return value;
}
