import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { CpuInfo } from './cpu-info.js';
import { MODEL_PRECISIONS, MODEL_ROLES, type ModelEntry, type ModelRole } from './manifest.js';

/** The file in the state directory (storage.dir) that keeps the measured choices. */
export const PRECISION_CACHE_FILE = 'precision.json';

const CACHE_VERSION = 1;

const choiceSchema = z
  .object({
    key: z.string().min(1),
    role: z.enum(MODEL_ROLES),
    choice: z.enum(MODEL_PRECISIONS),
    medianMs: z.object({ int8: z.number().positive(), fp32: z.number().positive() }).strict(),
    runs: z.number().int().min(1),
    measuredAt: z.string().min(1),
  })
  .strict();

const fileSchema = z.object({ version: z.literal(CACHE_VERSION), choices: z.array(choiceSchema) }).strict();

export type CachedChoice = z.output<typeof choiceSchema>;

/**
 * What a measurement depends on: the CPU and its vector extensions, the onnxruntime build, the intra-op threads and the
 * exact bytes of both model files. A change of any of them is another key, so the choice is measured again.
 */
export function precisionKey(cpu: CpuInfo, ortVersion: string, threads: number, int8: ModelEntry, fp32: ModelEntry): string {
  return [cpu.model, cpu.simd.join(' '), `ort ${ortVersion}`, `threads ${String(threads)}`, `int8 ${int8.sha256}`, `fp32 ${fp32.sha256}`].join('|');
}

export interface OpenedCache {
  readonly cache: PrecisionCache;
  /** Set when the file exists but cannot be trusted (unreadable, not JSON, not this format): it is then ignored. */
  readonly problem?: string;
}

/**
 * precision.json: one measured choice per role. Read once at start-up; each new measurement rewrites the file through a
 * temp file and a rename, so a crash mid-write leaves the old file or the new one, never half of one.
 */
export class PrecisionCache {
  readonly path: string;
  readonly #choices = new Map<ModelRole, CachedChoice>();

  private constructor(path: string, choices: readonly CachedChoice[]) {
    this.path = path;
    for (const choice of choices) this.#choices.set(choice.role, choice);
  }

  static async open(stateDir: string): Promise<OpenedCache> {
    const path = join(stateDir, PRECISION_CACHE_FILE);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? { cache: new PrecisionCache(path, []) } : { cache: new PrecisionCache(path, []), problem: `${path}: cannot be read (${code ?? String(error)})` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      return { cache: new PrecisionCache(path, []), problem: `${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})` };
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { cache: new PrecisionCache(path, []), problem: `${path}: not a precision cache (${issue === undefined ? 'invalid' : `${issue.path.join('.') || '(root)'}: ${issue.message}`})` };
    }
    return { cache: new PrecisionCache(path, parsed.data.choices) };
  }

  /** The cached choice of a role if it was measured under exactly this key. */
  lookup(role: ModelRole, key: string): CachedChoice | undefined {
    const choice = this.#choices.get(role);
    return choice?.key === key ? choice : undefined;
  }

  /** Records a role's choice (replacing the one measured under an older key) and rewrites the file atomically. */
  async store(choice: CachedChoice): Promise<void> {
    this.#choices.set(choice.role, choice);
    const text = `${JSON.stringify({ version: CACHE_VERSION, choices: [...this.#choices.values()] }, null, 2)}\n`;
    const temp = `${this.path}.${String(process.pid)}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await writeFile(temp, text);
      await rename(temp, this.path);
    } catch (error) {
      // Best effort: the write's own error is the one worth reporting.
      await rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
  }
}
