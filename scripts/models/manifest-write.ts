import { createHash } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest, ModelEntry } from '../../edge/vision/manifest.js';
import { MANIFEST_VERSION, parseManifest } from '../../edge/vision/manifest.js';
import type { ModelSpec } from './catalog.js';
import { SOURCE_PACKAGE } from './fetch.js';
import type { ValueInfo } from './onnx-graph.js';

export interface BuiltFile {
  readonly spec: ModelSpec;
  readonly precision: 'fp32' | 'int8';
  readonly isDefault: boolean;
  readonly bytes: Uint8Array;
  readonly outputs: readonly ValueInfo[];
  readonly build: ModelEntry['build'];
  readonly evidence?: string;
}

export function manifestEntry(file: BuiltFile): ModelEntry {
  const { spec } = file;
  const square = `${spec.model}-${file.precision}`;
  const name = spec.variant === undefined ? square : `${spec.model}-${spec.variant}-${file.precision}`;
  return {
    name,
    model: spec.model,
    role: spec.role,
    precision: file.precision,
    default: file.isDefault,
    file: `${name}.onnx`,
    sha256: createHash('sha256').update(file.bytes).digest('hex'),
    bytes: file.bytes.byteLength,
    input: { name: 'input', shape: [...spec.input.shape], layout: spec.input.layout, channels: spec.input.channels, mean: [...spec.input.mean], std: [...spec.input.std] },
    outputs: file.outputs.map((output, k) => ({ name: output.name, shape: [...(output.dims ?? [])], meaning: spec.outputs[k] ?? '' })),
    ...(spec.labels ? { labels: [...spec.labels] } : {}),
    provenance: { package: SOURCE_PACKAGE.name, version: SOURCE_PACKAGE.version, path: spec.path, ...spec.provenance },
    licence: { ...spec.licence },
    build: file.build,
    ...(file.evidence === undefined ? {} : { evidence: file.evidence }),
    ...(spec.variant === undefined ? {} : { inputOf: square }),
  };
}

/**
 * Writes every .onnx file and then the manifest (validated with the runtime's own schema), each through a temp file
 * and rename so an interrupted build never leaves a manifest naming a half-written model.
 */
export async function writeModels(modelsDir: string, files: readonly BuiltFile[]): Promise<Manifest> {
  const entries = files.map(manifestEntry);
  const manifest = parseManifest({ version: MANIFEST_VERSION, models: entries }, 'the built manifest');
  for (const [i, file] of files.entries()) {
    const entry = entries[i];
    if (entry) await atomicWrite(join(modelsDir, entry.file), file.bytes);
  }
  await atomicWrite(join(modelsDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

async function atomicWrite(path: string, data: Uint8Array | string): Promise<void> {
  await writeFile(`${path}.tmp`, data);
  await rename(`${path}.tmp`, path);
}
