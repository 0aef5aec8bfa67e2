import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';

/** What decides which kernels onnxruntime runs on this CPU: its identity and the vector instruction sets it has. */
export interface CpuInfo {
  /** Model name with family and model numbers where the kernel reports them, e.g. "AMD EPYC 7551 (family 23 model 1)". */
  readonly model: string;
  /** The vector extensions present, in SIMD_FLAGS order. */
  readonly simd: readonly string[];
}

/**
 * Instruction sets onnxruntime's CPU kernels (MLAS) dispatch on, x86 and Arm. Only these go into the key: the full
 * flag list also carries mitigation and virtualization flags that change with a kernel or microcode update and say
 * nothing about which kernel is faster.
 */
export const SIMD_FLAGS = [
  'sse4_1', 'sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512vl', 'avx512dq', 'avx512_vnni', 'avx_vnni',
  'avx512_bf16', 'avx512_fp16', 'amx_tile', 'amx_int8', 'amx_bf16', 'asimd', 'asimddp', 'asimdhp', 'i8mm', 'bf16', 'sve', 'sve2',
] as const;

/** The first processor block of /proc/cpuinfo text (every core of a gateway is the same CPU). */
export function parseCpuInfo(text: string): CpuInfo | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (fields.size > 0) break;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
  }
  // x86 names the CPU; Arm kernels give only implementer and part numbers.
  const name = fields.get('model name') ?? armName(fields);
  if (name === undefined || name === '') return undefined;
  const family = fields.get('cpu family');
  const model = fields.get('model');
  const numbered = family !== undefined && model !== undefined ? `${name} (family ${family} model ${model})` : name;
  const present = new Set((fields.get('flags') ?? fields.get('features') ?? '').split(/\s+/));
  return { model: numbered, simd: SIMD_FLAGS.filter((flag) => present.has(flag)) };
}

function armName(fields: ReadonlyMap<string, string>): string | undefined {
  const implementer = fields.get('cpu implementer');
  const part = fields.get('cpu part');
  return implementer === undefined || part === undefined ? undefined : `Arm implementer ${implementer} part ${part}`;
}

/** This machine's CPU from /proc/cpuinfo; elsewhere (or unreadable) the model node reports, with no flags. */
export async function readCpuInfo(path = '/proc/cpuinfo'): Promise<CpuInfo> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch {
    // Not Linux, or /proc not mounted: the name alone still tells two different machines apart.
  }
  return parseCpuInfo(text) ?? { model: cpus()[0]?.model.trim() ?? 'unknown CPU', simd: [] };
}
