import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { HuxiaoError } from '../errors.js';

/**
 * models/manifest.json: what the model build wrote and what the runtime trusts. The build validates its output with
 * this schema and the runtime reads it at start-up, so the two can never disagree about a field.
 */
export const MANIFEST_VERSION = 1;

/** models/ of the installed package (dist/edge/vision/ -> the package root). */
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL('../../../models/', import.meta.url));

/** The manifest the runtime reads for a vision config: manifest.json in vision.modelsDir, or in the package's models/. */
export function manifestFile(modelsDir: string | undefined): string {
  return join(modelsDir ?? DEFAULT_MODELS_DIR, 'manifest.json');
}

export const MODEL_ROLES = ['detector', 'face-detector', 'face-embedder'] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];

export const MODEL_PRECISIONS = ['int8', 'fp32'] as const;
export type ModelPrecision = (typeof MODEL_PRECISIONS)[number];

const dims = z.array(z.number().int().min(1)).min(1).max(8);
const rgbTriple = z.tuple([z.number(), z.number(), z.number()]);

const inputSchema = z
  .object({
    name: z.string().min(1).describe('Name of the graph input.'),
    shape: dims.describe('Static input shape including the batch dimension of 1.'),
    layout: z.enum(['NCHW', 'NHWC']).describe('Memory layout of the input tensor.'),
    channels: z.enum(['RGB', 'BGR']).describe('Channel order the model expects.'),
    mean: rgbTriple.describe('Subtracted from each 0..255 pixel value, per channel in the listed channel order.'),
    std: rgbTriple
      .refine((values) => values.every((value) => value > 0), 'expected positive divisors')
      .describe('The difference is divided by this, per channel in the listed channel order.'),
  })
  .strict();

const outputSchema = z
  .object({
    name: z.string().min(1).describe('Name of the graph output.'),
    shape: dims.describe('Static output shape.'),
    meaning: z.string().min(1).describe('What the values are and how they are laid out.'),
  })
  .strict();

const modelSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/).describe('Unique name of this built file, e.g. nanodet-int8.'),
    model: z.string().min(1).describe('The original model this file was built from, e.g. nanodet.'),
    role: z.enum(MODEL_ROLES),
    precision: z.enum(MODEL_PRECISIONS),
    default: z.boolean().describe('The file the runtime uses for this role and precision unless told otherwise; one per role.'),
    file: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*\.onnx$/, 'expected a plain .onnx file name inside models/')
      .describe('File name relative to the manifest.'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'),
    bytes: z.number().int().min(1),
    input: inputSchema,
    outputs: z.array(outputSchema).min(1),
    labels: z.array(z.string().min(1)).optional().describe('Class names in output order (detectors only).'),
    provenance: z
      .object({
        package: z.string().min(1),
        version: z.string().min(1),
        path: z.string().min(1),
        original: z.string().min(1),
        authors: z.string().min(1),
        url: z.string().min(1),
      })
      .strict(),
    licence: z.object({ spdx: z.string().min(1), notes: z.string() }).strict(),
    build: z
      .object({
        referenceMaxAbsDiff: z.number().min(0).optional(),
        calibration: z.string().optional(),
        quantization: z.string().optional(),
        notes: z.string().optional(),
      })
      .strict(),
    evidence: z.string().optional().describe('Why this precision is the one used for its role (accuracy and speed figures).'),
    inputOf: z
      .string()
      .optional()
      .describe('Another input shape of the named entry, built from the same weights at the same precision: used for the pictures it holds at that entry\'s scale (vision.detector.input: fit), never chosen for a role by itself.'),
  })
  .strict()
  .superRefine((model, ctx) => {
    if (model.role === 'detector' && (model.labels === undefined || model.labels.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['labels'], message: 'a detector needs its class labels' });
    }
  });

export const manifestSchema = z
  .object({
    version: z.literal(MANIFEST_VERSION),
    models: z.array(modelSchema).min(1),
  })
  .strict()
  .superRefine((manifest, ctx) => {
    const names = new Set<string>();
    const defaults = new Map<ModelRole, number>();
    manifest.models.forEach((model, index) => {
      if (names.has(model.name)) ctx.addIssue({ code: 'custom', path: ['models', index, 'name'], message: `duplicate model name "${model.name}"` });
      names.add(model.name);
      if (model.default) defaults.set(model.role, (defaults.get(model.role) ?? 0) + 1);
    });
    manifest.models.forEach((model, index) => {
      if (model.inputOf === undefined) return;
      const problem = inputOfProblem(model, manifest.models.find((other) => other.name === model.inputOf));
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['models', index, 'inputOf'], message: `"${model.inputOf}": ${problem}` });
    });
    for (const role of new Set(manifest.models.map((model) => model.role))) {
      const count = defaults.get(role) ?? 0;
      if (count !== 1) ctx.addIssue({ code: 'custom', path: ['models'], message: `role "${role}" has ${count} default models, expected exactly one` });
    }
  });

/** Why `model` cannot be another input shape of `of`; only the input's height and width may differ. */
function inputOfProblem(model: z.output<typeof modelSchema>, of: z.output<typeof modelSchema> | undefined): string | undefined {
  if (of === undefined) return 'no such entry';
  if (of.inputOf !== undefined) return 'is itself another input shape';
  if (model.default) return 'another input shape cannot be a default';
  for (const key of ['role', 'model', 'precision'] as const) if (of[key] !== model[key]) return `has another ${key} (${of[key]})`;
  if (JSON.stringify(of.labels) !== JSON.stringify(model.labels)) return 'has other labels';
  const { shape: ownShape, ...own } = model.input;
  const { shape: theirShape, ...theirs } = of.input;
  if (ownShape.length !== theirShape.length || JSON.stringify(own) !== JSON.stringify(theirs)) return 'has another input name, layout, channel order or normalization';
  return undefined;
}

export type Manifest = z.output<typeof manifestSchema>;
export type ModelEntry = Manifest['models'][number];

/** Validates parsed manifest JSON; `source` names the file in the error. */
export function parseManifest(json: unknown, source: string): Manifest {
  const result = manifestSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`).join('\n');
    throw new HuxiaoError('MODEL_MANIFEST', `${source}: invalid model manifest\n${problems}`);
  }
  return result.data;
}

/** The other input shapes of an entry (`inputOf` it), smallest first. */
export function inputVariants(manifest: Manifest, entry: ModelEntry): ModelEntry[] {
  const pixels = (model: ModelEntry): number => model.input.shape.reduce((product, dim) => product * dim, 1);
  return manifest.models.filter((model) => model.inputOf === entry.name).sort((a, b) => pixels(a) - pixels(b));
}

export async function readManifest(path: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new HuxiaoError('MODEL_MANIFEST', `${path}: cannot read the model manifest (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HuxiaoError('MODEL_MANIFEST', `${path}: the model manifest is not valid JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  return parseManifest(json, path);
}

/**
 * The entry for a role: without a precision the role's default; with one, the default if it has that precision, else
 * the same model as the default at that precision (so FP32 and INT8 of one model are compared, never two models),
 * else the first entry of that role and precision. None => MODEL_MANIFEST naming the role and precision.
 */
export function selectModel(manifest: Manifest, role: ModelRole, precision: ModelPrecision | undefined, source = 'models/manifest.json'): ModelEntry {
  const candidates = manifest.models.filter((model) => model.role === role && model.inputOf === undefined && (precision === undefined || model.precision === precision));
  const defaultModel = manifest.models.find((model) => model.role === role && model.default)?.model;
  const chosen =
    candidates.find((model) => model.default) ??
    (precision === undefined ? undefined : (candidates.find((model) => model.model === defaultModel) ?? candidates[0]));
  if (chosen === undefined) {
    const available = manifest.models.filter((model) => model.role === role).map((model) => `${model.name} (${model.precision})`);
    throw new HuxiaoError(
      'MODEL_MANIFEST',
      `${source}: no ${precision ?? 'default'} model for role "${role}"; available: ${available.length > 0 ? available.join(', ') : 'none'}`,
    );
  }
  return chosen;
}
