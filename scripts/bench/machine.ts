import { readFileSync } from 'node:fs';
import { cpus, totalmem, platform, release, arch } from 'node:os';

/** One line naming the machine a benchmark ran on; every benchmark prints it first so figures are never quoted without it. */
export function machineLine(): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() ?? 'unknown CPU';
  const gib = (totalmem() / 2 ** 30).toFixed(0);
  return `machine: ${model}, ${String(cores.length)} cores, ${gib} GiB, ${platform()} ${release()} ${arch()}, node ${process.version}`;
}

/**
 * The CPU flags that decide how fast onnxruntime's INT8 kernels and ffmpeg's decoder run (the reference gateway is a
 * 2-core AVX2 machine; AVX-512 or VNNI make INT8 much faster, so a figure means little without them).
 */
const SIMD_FLAGS = ['sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx_vnni', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni', 'avx512_bf16', 'amx_int8', 'neon', 'asimd', 'asimddp'];

/** `cpu flags: ...` with the flags of SIMD_FLAGS this machine has, from /proc/cpuinfo. */
export function cpuFlagsLine(): string {
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return 'cpu flags: unknown (no /proc/cpuinfo)';
  }
  // x86 names them "flags", ARM "Features".
  const line = /^(?:flags|Features)\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? '';
  const present = new Set(line.split(/\s+/));
  const found = SIMD_FLAGS.filter((flag) => present.has(flag));
  return `cpu flags: ${found.length > 0 ? found.join(' ') : 'none of the SIMD flags looked for'}`;
}
