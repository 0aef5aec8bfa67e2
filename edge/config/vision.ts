import { z } from 'zod';
import type { DeepReadonly } from './schema.js';

const precision = z.enum(['auto', 'int8', 'fp32']);

/** Labels reported by default: the people, vehicles and objects the school scenarios have rules for. */
export const DEFAULT_DETECTOR_LABELS = ['person', 'bicycle', 'car', 'motorcycle', 'bus', 'truck', 'knife', 'baseball bat', 'scissors'];

const score = z.number().min(0.05).max(1);

const detectorSchema = z
  .object({
    minScore: score
      .default(0.45)
      .describe('Minimum score of a reported object. On vtest.avi walking people score 0.6-0.83 (partly hidden ones 0.47), a traffic cone 0.33-0.39 as "person".'),
    minScoreByLabel: z
      .record(z.string().min(1), score)
      .default({})
      .describe('Per-label minimum score overriding minScore, e.g. { knife: 0.5 } where a false alarm is costly.'),
    labels: z
      .array(z.string().min(1))
      .min(1)
      .default(DEFAULT_DETECTOR_LABELS)
      .describe('Labels to report (COCO names from the model manifest); others are discarded before NMS.'),
    nmsIou: z.number().min(0.1).max(0.95).default(0.6).describe('Boxes of one label overlapping a higher-scored one by more than this IoU are suppressed.'),
    maxDetections: z.number().int().min(1).max(1000).default(100).describe('Upper bound of objects reported per frame.'),
    input: z
      .enum(['fit', 'square'])
      .default('fit')
      .describe(
        'fit: each frame or motion region runs through the smallest of the detector\'s built inputs (416x416, 416x320, 416x256) that holds it at the scale the square one gives it, so objects keep every pixel and only padding is saved (a 16:9 frame costs about 0.6 of a square run). square: always 416x416.',
      ),
  })
  .strict()
  .default({ minScore: 0.45, minScoreByLabel: {}, labels: DEFAULT_DETECTOR_LABELS, nmsIou: 0.6, maxDetections: 100, input: 'fit' })
  .describe('Object detector post-processing.');

const faceDetectorSchema = z
  .object({
    minScore: score.default(0.5).describe('Minimum face score; faces looking down or three-quarter score 0.55-0.75 in the fixture photos.'),
    nmsIou: z.number().min(0.1).max(0.95).default(0.3).describe('Overlapping faces above this IoU are merged into the best one.'),
    maxFaces: z.number().int().min(1).max(200).default(20).describe('Upper bound of faces reported per picture.'),
  })
  .strict()
  .default({ minScore: 0.5, nmsIou: 0.3, maxFaces: 20 })
  .describe('Face detector post-processing.');

export const visionSchema = z
  .object({
    modelsDir: z.string().min(1).optional().describe('Directory holding manifest.json and the ONNX files; default: the models/ directory of the installed package.'),
    precision: z
      .object({
        detector: precision
          .default('auto')
          .describe('Object detector precision. auto: the faster of INT8 and FP32 on this machine, measured at the first start and kept in storage.dir/precision.json (INT8 must be 5% faster to win; FP32 is the accuracy reference).'),
        faceDetector: precision
          .default('auto')
          .describe('Face detector precision. auto: as for the detector, but INT8 only if it passed its accuracy gate (the manifest makes it the default only then); today FP32, because INT8 lost faces.'),
        faceEmbedder: precision
          .default('auto')
          .describe('Face embedder precision. auto: the manifest\'s default build, unmeasured, because the similarity score is calibrated for that build (docs/identity.md).'),
      })
      .strict()
      .default({ detector: 'auto', faceDetector: 'auto', faceEmbedder: 'auto' })
      .describe('Which build of each model to load: auto, int8 or fp32. An explicit int8 or fp32 always wins; the fp32 files are the accuracy reference and a fallback. `huxiao replay` keeps no measurement: there auto is the manifest\'s default, so replayed results do not depend on the machine.'),
    threads: z
      .number()
      .int()
      .min(1)
      .max(16)
      .default(2)
      .describe('onnxruntime intra-op threads per model run. One run per model at a time, so 2 uses both cores of the reference 2-core gateway for the lowest latency.'),
    queueSize: z
      .number()
      .int()
      .min(1)
      .max(256)
      .default(8)
      .describe('Pending inference requests per model over all cameras; when full, the oldest frame of the submitting camera is dropped (latest frame wins), or of the camera with the longest backlog. A camera\'s only pending frame is never dropped for another camera\'s, so the queue holds one frame per camera even past this size.'),
    budget: z
      .number()
      .min(0.05)
      .max(1)
      .default(0.7)
      .describe(
        'Share of the time the models may run, over all cameras (one run at a time, each on `threads` cores); the rest is left for decoding, motion and rules. When the cameras\' rules ask for more, the scheduler cuts every camera evenly to its fair share (fence and line activity first) and telemetry reports the cameras running below what their rules need.',
      ),
    detector: detectorSchema,
    faceDetector: faceDetectorSchema,
  })
  .strict()
  .default({
    precision: { detector: 'auto', faceDetector: 'auto', faceEmbedder: 'auto' },
    threads: 2,
    queueSize: 8,
    budget: 0.7,
    detector: { minScore: 0.45, minScoreByLabel: {}, labels: DEFAULT_DETECTOR_LABELS, nmsIou: 0.6, maxDetections: 100, input: 'fit' },
    faceDetector: { minScore: 0.5, nmsIou: 0.3, maxFaces: 20 },
  })
  .describe('Models and inference: precision, threads, queue, detector and face detector thresholds.');

export type VisionConfig = DeepReadonly<z.output<typeof visionSchema>>;
export type DetectorConfig = VisionConfig['detector'];
export type FaceDetectorConfig = VisionConfig['faceDetector'];
