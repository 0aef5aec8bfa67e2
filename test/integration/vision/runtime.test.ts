import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { visionSchema, type VisionConfig } from '../../../edge/config/vision.js';
import { isHuxiaoError } from '../../../edge/errors.js';
import { parseConfig } from '../../../edge/config/load.js';
import { DEFAULT_MODELS_DIR, inputVariants, MODEL_ROLES, readManifest, selectModel, type Manifest, type ModelEntry } from '../../../edge/vision/manifest.js';
import { ModelSession } from '../../../edge/vision/model-session.js';
import { rolesNeeded } from '../../../edge/vision/roles.js';
import { VisionRuntime, type ModelHealth } from '../../../edge/vision/runtime.js';
import { rootLogger } from '../../../edge/log.js';
import { namedPrecision } from '../../../edge/vision/precision-choice.js';
import { vtestFrames } from '../../helpers/frames.js';
import { tempDir } from '../../helpers/tmp.js';

/**
 * The runtime against the committed models: a bad model file is refused with a coded error naming it and only the
 * role that needs it is degraded; the shared queue drops stale frames per camera under load.
 */
describe('vision runtime with the committed models', () => {
  let manifest: Manifest;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let detectorEntry: ModelEntry;

  before(async () => {
    rootLogger.level = 'warn';
    manifest = await readManifest(join(DEFAULT_MODELS_DIR, 'manifest.json'));
    detectorEntry = selectModel(manifest, 'detector', 'int8');
    dir = await tempDir('vision-runtime');
  });

  after(async () => {
    await dir.remove();
  });

  /** A fresh copy of models/ (only the files the default config loads: each role's build and its other input shapes) to damage. */
  async function copyModels(): Promise<VisionConfig> {
    const config = visionSchema.parse({ modelsDir: dir.path });
    await copyFile(join(DEFAULT_MODELS_DIR, 'manifest.json'), join(dir.path, 'manifest.json'));
    const roles = [
      selectModel(manifest, 'detector', namedPrecision(config.precision.detector)),
      selectModel(manifest, 'face-detector', namedPrecision(config.precision.faceDetector)),
      selectModel(manifest, 'face-embedder', namedPrecision(config.precision.faceEmbedder)),
    ];
    for (const entry of roles.flatMap((role) => [role, ...inputVariants(manifest, role)])) await copyFile(join(DEFAULT_MODELS_DIR, entry.file), join(dir.path, entry.file));
    return config;
  }

  /** Health of the detector and face detector roles after damaging the detector's file. */
  async function healthAfter(damage: (path: string) => Promise<void>): Promise<{ detector: ModelHealth; faceDetector: ModelHealth }> {
    const config = await copyModels();
    await damage(join(dir.path, detectorEntry.file));
    const runtime = new VisionRuntime({ config, roles: MODEL_ROLES });
    await runtime.start();
    try {
      assert.equal(runtime.detector, undefined);
      assert.ok(runtime.faceDetector, 'the face detector still loads');
      const health = runtime.health();
      const detector = health.find((h) => h.role === 'detector');
      const faceDetector = health.find((h) => h.role === 'face-detector');
      assert.ok(detector && faceDetector);
      return { detector, faceDetector };
    } finally {
      await runtime.stop();
    }
  }

  it('loads every role from intact files', async () => {
    const runtime = new VisionRuntime({ config: await copyModels(), roles: MODEL_ROLES });
    await runtime.start();
    try {
      assert.deepEqual(runtime.health().map((h) => h.state), ['ready', 'ready', 'ready']);
      assert.equal(runtime.health().find((h) => h.role === 'detector')?.model, detectorEntry.name);
    } finally {
      await runtime.stop();
    }
  });

  it('loads no face model for a config whose rules need no identity', async () => {
    const config = parseConfig(
      [
        'gateway: { id: gw-1 }',
        'cameras: [{ id: pond, url: "rtsp://10.0.0.2/s", zones: [{ id: bank, polygon: [[0, 0], [100, 0], [100, 100]] }] }]',
        'rules: [{ id: in, type: intrusion, camera: pond, zone: bank }, { id: stay, type: dwell, camera: pond, zone: bank, enabled: false }]',
      ].join('\n'),
      'test.yaml',
    );
    assert.deepEqual(rolesNeeded(config), ['detector']);
    // Only the detector's file is in this models directory: a face model the runtime tried to load would fail.
    const modelsDir = join(dir.path, 'detector-only');
    await mkdir(modelsDir);
    await copyFile(join(DEFAULT_MODELS_DIR, 'manifest.json'), join(modelsDir, 'manifest.json'));
    await copyFile(join(DEFAULT_MODELS_DIR, detectorEntry.file), join(modelsDir, detectorEntry.file));
    const runtime = new VisionRuntime({ config: { ...config.vision, modelsDir }, roles: rolesNeeded(config) });
    await runtime.start();
    try {
      assert.ok(runtime.detector);
      assert.equal(runtime.faceDetector, undefined);
      assert.equal(runtime.faceEmbedder, undefined);
      assert.deepEqual(runtime.health().map((h) => [h.role, h.state]), [['detector', 'ready']]);
    } finally {
      await runtime.stop();
    }
  });

  it('degrades only the detector when its file is missing, truncated or has one byte changed', async () => {
    const missing = await healthAfter((path) => unlink(path));
    assert.equal(missing.detector.state, 'failed');
    assert.equal(missing.detector.error?.code, 'MODEL_MISSING');
    assert.ok(missing.detector.error.message.includes(detectorEntry.file));
    assert.equal(missing.faceDetector.state, 'ready');

    const truncated = await healthAfter((path) => truncate(path, 1000));
    assert.equal(truncated.detector.error?.code, 'MODEL_INTEGRITY');
    assert.match(truncated.detector.error.message, new RegExp(`${detectorEntry.file}.*truncated: 1000 bytes`));

    const tampered = await healthAfter(async (path) => {
      const bytes = await readFile(path);
      const at = Math.floor(bytes.length / 2);
      bytes[at] = (bytes[at] ?? 0) ^ 0x01;
      await writeFile(path, bytes);
    });
    assert.equal(tampered.detector.error?.code, 'MODEL_INTEGRITY');
    assert.match(tampered.detector.error.message, /sha256/);
  });

  it('reports MODEL_LOAD for a file that matches the manifest but is not a model', async () => {
    const junk = Buffer.from('this is not an onnx model');
    await writeFile(join(dir.path, 'junk.onnx'), junk);
    const session = new ModelSession({
      modelsDir: dir.path,
      entry: { ...detectorEntry, file: 'junk.onnx', bytes: junk.length, sha256: createHash('sha256').update(junk).digest('hex') },
      threads: 1,
      queueSize: 1,
    });
    await assert.rejects(session.start(), (error: unknown) => isHuxiaoError(error) && error.code === 'MODEL_LOAD' && error.message.includes('junk.onnx'));
  });

  it('a missing manifest fails every role with MODEL_MANIFEST instead of throwing', async () => {
    const runtime = new VisionRuntime({ config: visionSchema.parse({ modelsDir: join(dir.path, 'nowhere') }), roles: MODEL_ROLES });
    await runtime.start();
    assert.deepEqual(runtime.health().map((h) => h.error?.code), ['MODEL_MANIFEST', 'MODEL_MANIFEST', 'MODEL_MANIFEST']);
    await runtime.stop();
  });

  it('serves cameras fairly and drops stale frames of a flooding camera (latest frame wins)', async () => {
    const runtime = new VisionRuntime({ config: visionSchema.parse({ queueSize: 2 }), roles: ['detector'] });
    await runtime.start();
    try {
      const detector = runtime.detector;
      assert.ok(detector);
      const [frame] = await vtestFrames([300]);
      assert.ok(frame);
      const flood = Array.from({ length: 6 }, () => detector.detect(frame, { camera: 'busy' }).then(
        (detections) => detections.length,
        (error: unknown) => (isHuxiaoError(error) ? error.code : 'other'),
      ));
      const quiet = detector.detect(frame, { camera: 'quiet' });
      const outcomes = await Promise.all(flood);
      assert.ok((await quiet).some((d) => d.label === 'person'), 'the quiet camera is served');
      assert.ok(outcomes.some((o) => typeof o === 'number'), 'the busy camera is served too');
      const dropped = outcomes.filter((o) => o === 'INFERENCE_DROPPED').length;
      assert.ok(dropped >= 1, `expected stale frames dropped, outcomes ${outcomes.join(',')}`);
      const stats = new Map(Object.entries(runtime.stats())).get(detectorEntry.name);
      assert.ok(stats);
      assert.deepEqual(stats.dropped, { busy: dropped });
      assert.ok(stats.runMs.count >= 2 && stats.runMs.p95 >= stats.runMs.p50);
    } finally {
      await runtime.stop();
    }
  });
});
