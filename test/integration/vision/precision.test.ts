import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ort from 'onnxruntime-node';
import { visionSchema } from '../../../edge/config/vision.js';
import { rootLogger } from '../../../edge/log.js';
import { readCpuInfo } from '../../../edge/vision/cpu-info.js';
import { DEFAULT_MODELS_DIR, MODEL_ROLES, readManifest, selectModel, type Manifest, type ModelEntry } from '../../../edge/vision/manifest.js';
import { PRECISION_CACHE_FILE, precisionKey } from '../../../edge/vision/precision-cache.js';
import type { MeasureOptions } from '../../../edge/vision/precision-measure.js';
import { VisionRuntime, type ModelHealth } from '../../../edge/vision/runtime.js';
import { vtestFrames } from '../../helpers/frames.js';
import { tempDir } from '../../helpers/tmp.js';

/**
 * vision.precision auto against the committed models: the first start with an empty state directory times nanodet
 * INT8 and FP32 and writes precision.json, the next start reads it instead of measuring, an explicit precision wins,
 * and blazeface-int8 (its accuracy gate failed) is never chosen.
 */
const MEASURE: MeasureOptions = { budgetMs: 200, maxRuns: 5 };

interface CacheFile {
  readonly version: number;
  readonly choices: readonly { key: string; role: string; choice: string; medianMs: { int8: number; fp32: number }; runs: number }[];
}

describe('vision precision auto with the committed models', () => {
  let manifest: Manifest;
  let int8: ModelEntry;
  let fp32: ModelEntry;
  let key: string;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let state = '';

  before(async () => {
    rootLogger.level = 'error';
    manifest = await readManifest(join(DEFAULT_MODELS_DIR, 'manifest.json'));
    int8 = selectModel(manifest, 'detector', 'int8');
    fp32 = selectModel(manifest, 'detector', 'fp32');
    key = precisionKey(await readCpuInfo(), ort.env.versions.node ?? '', 2, int8, fp32);
    dir = await tempDir('precision');
    state = join(dir.path, 'state');
  });

  after(async () => {
    await dir.remove();
  });

  /** Health per role after a start (and stop) of the runtime; `check` sees the started runtime. */
  async function started(options: { config?: unknown; stateDir?: string }, check?: (runtime: VisionRuntime) => Promise<void>): Promise<Map<string, ModelHealth>> {
    const runtime = new VisionRuntime({ config: visionSchema.parse(options.config ?? {}), roles: MODEL_ROLES, measure: MEASURE, ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }) });
    await runtime.start();
    try {
      await check?.(runtime);
      return new Map(runtime.health().map((h) => [h.role, h]));
    } finally {
      await runtime.stop();
    }
  }

  const readCache = async (path = join(state, PRECISION_CACHE_FILE)): Promise<CacheFile> => JSON.parse(await readFile(path, 'utf8')) as CacheFile;

  it('measures at the first start, keeps the faster build running and writes the choice keyed by this machine', async () => {
    const health = await started({ stateDir: state }, async (runtime) => {
      const detector = runtime.detector;
      assert.ok(detector, 'the chosen detector serves frames');
      const [frame] = await vtestFrames([300]);
      assert.ok(frame);
      assert.ok((await detector.detect(frame, { camera: 'plaza' })).some((d) => d.label === 'person'));
    });
    const detector = health.get('detector');
    assert.equal(detector?.state, 'ready');
    assert.equal(detector.precisionReason, 'auto-measured');
    assert.ok(detector.medianMs && detector.medianMs.int8 > 0 && detector.medianMs.fp32 > 0);
    const expected = detector.medianMs.int8 <= detector.medianMs.fp32 * 0.95 ? int8 : fp32;
    assert.equal(detector.model, expected.name, `medians ${JSON.stringify(detector.medianMs)}`);

    const cache = await readCache();
    assert.equal(cache.version, 1);
    assert.equal(cache.choices.length, 1, 'only the detector has two candidates');
    const [entry] = cache.choices;
    assert.equal(entry?.key, key);
    assert.ok(entry.key.includes(`ort ${ort.env.versions.node ?? ''}`) && entry.key.includes(int8.sha256) && entry.key.includes(fp32.sha256));
    assert.equal(entry.role, 'detector');
    assert.equal(entry.choice, expected.precision);
    assert.deepEqual(entry.medianMs, detector.medianMs);
    assert.ok(entry.runs >= 3 && entry.runs <= MEASURE.maxRuns, `${String(entry.runs)} runs: at least 3, at most maxRuns, fewer when the budget ran out`);

    assert.equal(health.get('face-detector')?.model, 'blazeface-fp32', 'blazeface-int8 failed its gate');
    assert.equal(health.get('face-detector')?.precisionReason, 'only-candidate');
    assert.equal(health.get('face-embedder')?.model, 'faceres-int8');
    assert.equal(health.get('face-embedder')?.precisionReason, 'only-candidate');
  });

  it('a second start reads the choice instead of measuring', async () => {
    const before = await readFile(join(state, PRECISION_CACHE_FILE), 'utf8');
    const [cached] = (await readCache()).choices;
    const detector = (await started({ stateDir: state })).get('detector');
    assert.equal(detector?.precisionReason, 'auto-cached');
    assert.equal(detector.precision, cached?.choice);
    assert.deepEqual(detector.medianMs, cached?.medianMs);
    assert.equal(await readFile(join(state, PRECISION_CACHE_FILE), 'utf8'), before, 'not rewritten');
  });

  it('follows a cached choice as written, and never takes blazeface-int8 even when a cache names it', async () => {
    const own = join(dir.path, 'hand-written');
    await mkdir(own);
    const face = { key: 'anything', role: 'face-detector', choice: 'int8', medianMs: { int8: 1, fp32: 2 }, runs: 5, measuredAt: '2026-01-01T00:00:00.000Z' };
    for (const choice of ['fp32', 'int8'] as const) {
      const detector = { key, role: 'detector', choice, medianMs: { int8: 30, fp32: 20 }, runs: 5, measuredAt: '2026-01-01T00:00:00.000Z' };
      await writeFile(join(own, PRECISION_CACHE_FILE), JSON.stringify({ version: 1, choices: [detector, face] }));
      const health = await started({ stateDir: own });
      assert.equal(health.get('detector')?.model, `nanodet-${choice}`);
      assert.equal(health.get('detector')?.precisionReason, 'auto-cached');
      assert.equal(health.get('face-detector')?.model, 'blazeface-fp32');
    }
  });

  it('an explicit precision wins over the cache, also one the gate advises against', async () => {
    const [cached] = (await readCache()).choices;
    const other = cached?.choice === 'int8' ? 'fp32' : 'int8';
    const health = await started({ stateDir: state, config: { precision: { detector: other, faceDetector: 'int8' } } });
    assert.equal(health.get('detector')?.model, `nanodet-${other}`);
    assert.equal(health.get('detector')?.precisionReason, 'explicit');
    assert.equal(health.get('detector')?.medianMs, undefined);
    assert.equal(health.get('face-detector')?.model, 'blazeface-int8');
    assert.equal(health.get('face-detector')?.precisionReason, 'explicit');
  });

  it('measures again over a corrupt cache file and replaces it', async () => {
    const corrupt = join(dir.path, 'corrupt');
    await mkdir(corrupt);
    await writeFile(join(corrupt, PRECISION_CACHE_FILE), '{"version": 1, "choi');
    assert.equal((await started({ stateDir: corrupt })).get('detector')?.precisionReason, 'auto-measured');
    const cache = await readCache(join(corrupt, PRECISION_CACHE_FILE));
    assert.equal(cache.choices[0]?.key, key);
  });

  it('without a state directory (replay) auto is the manifest default, unmeasured', async () => {
    const health = await started({});
    assert.equal(health.get('detector')?.model, 'nanodet-int8');
    assert.equal(health.get('detector')?.precisionReason, 'manifest-default');
  });

  it('uses the build that loads when the other cannot, and does not cache that', async () => {
    const models = join(dir.path, 'models');
    await mkdir(models);
    await copyFile(join(DEFAULT_MODELS_DIR, 'manifest.json'), join(models, 'manifest.json'));
    for (const entry of manifest.models.filter((m) => m.name !== 'nanodet-int8')) await copyFile(join(DEFAULT_MODELS_DIR, entry.file), join(models, entry.file));
    const own = join(dir.path, 'state-missing-int8');
    rootLogger.level = 'fatal';
    try {
      const detector = (await started({ stateDir: own, config: { modelsDir: models } })).get('detector');
      assert.equal(detector?.model, 'nanodet-fp32');
      assert.equal(detector.precisionReason, 'only-loadable');
    } finally {
      rootLogger.level = 'error';
    }
    await assert.rejects(readFile(join(own, PRECISION_CACHE_FILE)), { code: 'ENOENT' });
  });
});
