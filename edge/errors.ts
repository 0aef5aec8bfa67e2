/**
 * Every error the runtime reports to a user carries a stable code from this table.
 * docs/errors.md documents each code; test/unit/errors.test.ts fails when one is missing there.
 */
export const ERROR_CODES = {
  CONFIG_NOT_FOUND: 'The config file does not exist or cannot be read.',
  CONFIG_SYNTAX: 'The config file is not valid YAML.',
  CONFIG_INVALID: 'The config file does not match the schema; every problem is listed with its path.',
  CAMERA_UNKNOWN: 'A command named a camera id that is not in the config.',
  CAMERA_URL: 'A camera URL is malformed or uses an unsupported scheme.',
  PROBE_FAILED: 'ffprobe could not read the stream; the message says why (auth, path, network, codec).',
  FFMPEG_MISSING: 'ffmpeg or ffprobe is not installed or not on PATH.',
  SNAPSHOT_FAILED: 'No frame could be taken from the camera for a snapshot.',
  REPLAY_INPUT: 'The replay input file is missing or cannot be decoded.',
  MODEL_MANIFEST: 'models/manifest.json is missing, unreadable or invalid, or names no model for a role and precision.',
  MODEL_MISSING: 'A model file named in the manifest does not exist or cannot be read.',
  MODEL_INTEGRITY: 'A model file differs from the manifest (size or sha256): truncated, tampered with or from another build.',
  MODEL_LOAD: 'onnxruntime could not create a session from a model file that passed the integrity check.',
  INFERENCE_DROPPED: 'An inference request was dropped unrun because a newer frame of the same camera replaced it in a full queue.',
  INFERENCE_FAILED: 'onnxruntime failed while running a model on one input.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class HuxiaoError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HuxiaoError';
    this.code = code;
  }
}

export function isHuxiaoError(error: unknown): error is HuxiaoError {
  return error instanceof HuxiaoError;
}
