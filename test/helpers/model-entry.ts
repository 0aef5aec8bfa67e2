import type { ModelEntry } from '../../edge/vision/manifest.js';

/** A manifest entry of a 416x416 nanodet build for tests that need no file behind it. */
export function modelEntry(name: string, overrides: Partial<ModelEntry> = {}): ModelEntry {
  return {
    name,
    model: 'nanodet',
    role: 'detector',
    precision: 'int8',
    default: false,
    file: `${name}.onnx`,
    sha256: '0'.repeat(64),
    bytes: 10,
    input: { name: 'input', shape: [1, 3, 416, 416], layout: 'NCHW', channels: 'BGR', mean: [0, 0, 0], std: [1, 1, 1] },
    outputs: [{ name: 'output0', shape: [1, 169, 80], meaning: 'scores' }],
    labels: ['person'],
    provenance: { package: 'p', version: '1', path: 'models/x.json', original: 'o', authors: 'a', url: 'u' },
    licence: { spdx: 'MIT', notes: '' },
    build: {},
    ...overrides,
  };
}
