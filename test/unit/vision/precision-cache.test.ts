import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { CpuInfo } from '../../../edge/vision/cpu-info.js';
import type { ModelEntry } from '../../../edge/vision/manifest.js';
import { PRECISION_CACHE_FILE, PrecisionCache, precisionKey, type CachedChoice } from '../../../edge/vision/precision-cache.js';
import { modelEntry } from '../../helpers/model-entry.js';
import { tempDir } from '../../helpers/tmp.js';

const CPU: CpuInfo = { model: 'AMD EPYC 7551 32-Core Processor (family 23 model 1)', simd: ['avx', 'avx2', 'fma'] };

function build(precision: 'int8' | 'fp32', sha: string): ModelEntry {
  return modelEntry(`nanodet-${precision}`, { precision, default: precision === 'int8', sha256: sha.repeat(64) });
}

const INT8 = build('int8', 'a');
const FP32 = build('fp32', 'b');
const KEY = precisionKey(CPU, '1.30.0', 2, INT8, FP32);

function choice(overrides: Partial<CachedChoice> = {}): CachedChoice {
  return { key: KEY, role: 'detector', choice: 'fp32', medianMs: { int8: 52.1, fp32: 49.8 }, runs: 40, measuredAt: '2026-01-02T03:04:05.000Z', ...overrides };
}

describe('precision cache', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const path = (): string => join(dir.path, PRECISION_CACHE_FILE);

  beforeEach(async () => {
    dir = await tempDir('precision-cache');
  });

  afterEach(async () => {
    await dir.remove();
  });

  it('keys on CPU model, vector extensions, onnxruntime version, threads and both files\' sha256', () => {
    assert.equal(KEY, `AMD EPYC 7551 32-Core Processor (family 23 model 1)|avx avx2 fma|ort 1.30.0|threads 2|int8 ${'a'.repeat(64)}|fp32 ${'b'.repeat(64)}`);
    const others = [
      precisionKey({ ...CPU, model: 'AMD EPYC 7B12 (family 23 model 49)' }, '1.30.0', 2, INT8, FP32),
      precisionKey({ ...CPU, simd: [...CPU.simd, 'avx512_vnni'] }, '1.30.0', 2, INT8, FP32),
      precisionKey(CPU, '1.31.0', 2, INT8, FP32),
      precisionKey(CPU, '1.30.0', 1, INT8, FP32),
      precisionKey(CPU, '1.30.0', 2, build('int8', 'c'), FP32),
      precisionKey(CPU, '1.30.0', 2, INT8, build('fp32', 'c')),
    ];
    assert.equal(new Set([KEY, ...others]).size, others.length + 1);
  });

  it('round-trips a choice through the file, and a later start finds it under the same key', async () => {
    const { cache, problem } = await PrecisionCache.open(dir.path);
    assert.equal(problem, undefined, 'no file yet is not a problem');
    assert.equal(cache.lookup('detector', KEY), undefined);
    await cache.store(choice());
    const again = await PrecisionCache.open(dir.path);
    assert.equal(again.problem, undefined);
    assert.deepEqual(again.cache.lookup('detector', KEY), choice());
    const written = JSON.parse(await readFile(path(), 'utf8')) as unknown;
    assert.deepEqual(written, { version: 1, choices: [choice()] });
  });

  it('does not return a choice measured under another key (new onnxruntime, rebuilt model, other CPU)', async () => {
    const { cache } = await PrecisionCache.open(dir.path);
    await cache.store(choice());
    const reopened = (await PrecisionCache.open(dir.path)).cache;
    assert.equal(reopened.lookup('detector', precisionKey(CPU, '1.31.0', 2, INT8, FP32)), undefined);
    assert.equal(reopened.lookup('detector', precisionKey(CPU, '1.30.0', 2, build('int8', 'c'), FP32)), undefined);
    assert.equal(reopened.lookup('detector', precisionKey({ ...CPU, model: 'Intel Xeon' }, '1.30.0', 2, INT8, FP32)), undefined);
    assert.equal(reopened.lookup('face-detector', KEY), undefined, 'one choice per role');
  });

  it('replaces a role\'s choice measured under an older key and keeps the other roles', async () => {
    const { cache } = await PrecisionCache.open(dir.path);
    await cache.store(choice());
    await cache.store(choice({ role: 'face-detector', key: 'face key', choice: 'int8' }));
    const newKey = precisionKey(CPU, '1.31.0', 2, INT8, FP32);
    await cache.store(choice({ key: newKey, choice: 'int8' }));
    const reopened = (await PrecisionCache.open(dir.path)).cache;
    assert.equal(reopened.lookup('detector', KEY), undefined);
    assert.equal(reopened.lookup('detector', newKey)?.choice, 'int8');
    assert.equal(reopened.lookup('face-detector', 'face key')?.choice, 'int8');
    const written = JSON.parse(await readFile(path(), 'utf8')) as { choices: unknown[] };
    assert.equal(written.choices.length, 2);
  });

  it('reports a corrupt file instead of trusting it, and the next measurement replaces it', async () => {
    const cases: [string, RegExp][] = [
      ['{"version": 1, "choices": [', /not valid JSON/],
      [JSON.stringify({ version: 1, choices: [{ ...choice(), choice: 'int4' }] }), /not a precision cache \(choices\.0\.choice: /],
      [JSON.stringify({ version: 2, choices: [] }), /not a precision cache \(version: /],
      [JSON.stringify([choice()]), /not a precision cache/],
    ];
    for (const [text, problem] of cases) {
      await writeFile(path(), text);
      const opened = await PrecisionCache.open(dir.path);
      assert.match(opened.problem ?? '', problem, text);
      assert.ok(opened.problem?.includes(path()), 'the problem names the file');
      assert.equal(opened.cache.lookup('detector', KEY), undefined, text);
      await opened.cache.store(choice());
      const fixed = await PrecisionCache.open(dir.path);
      assert.equal(fixed.problem, undefined);
      assert.equal(fixed.cache.lookup('detector', KEY)?.choice, 'fp32');
    }
  });

  it('writes through a temp file and a rename: a new file each time, the old one intact when the write fails', async () => {
    const { cache } = await PrecisionCache.open(dir.path);
    await cache.store(choice());
    const first = await stat(path());
    await cache.store(choice({ choice: 'int8' }));
    const second = await stat(path());
    assert.notEqual(second.ino, first.ino, 'renamed into place, not rewritten in place');
    assert.deepEqual(await readdir(dir.path), [PRECISION_CACHE_FILE], 'no temp file left behind');

    // A directory where the temp file should go makes the write fail after the old file was read.
    const before = await readFile(path(), 'utf8');
    await mkdir(`${path()}.${String(process.pid)}.tmp`);
    await assert.rejects(cache.store(choice({ choice: 'fp32', runs: 3 })));
    assert.equal(await readFile(path(), 'utf8'), before);
  });

  it('creates the state directory when it does not exist yet', async () => {
    const nested = join(dir.path, 'var', 'lib', 'huxiao');
    const { cache } = await PrecisionCache.open(nested);
    await cache.store(choice());
    assert.equal((await PrecisionCache.open(nested)).cache.lookup('detector', KEY)?.runs, 40);
  });
});
