/**
 * Every error the runtime reports to a user carries a stable code from this table.
 * docs/errors.md documents each code; test/unit/errors.test.ts fails when one is missing there.
 */
export const ERROR_CODES = {
  CONFIG_NOT_FOUND: 'The config file does not exist or cannot be read.',
  CONFIG_SYNTAX: 'The config file is not valid YAML (syntax, duplicate keys, unknown tags, several documents, nesting too deep).',
  CONFIG_INVALID: 'The config file does not match the schema, its aliases or merges cannot be resolved, a label is one the detector cannot report, or a secret is missing; every problem is listed with its path.',
  CAMERA_UNKNOWN: 'A command named a camera id that is not in the config.',
  CAMERA_URL: 'A camera URL is malformed or uses an unsupported scheme.',
  PROBE_FAILED: 'ffprobe could not read the stream; the message says why (auth, path, network, codec).',
  FFMPEG_MISSING: 'ffmpeg or ffprobe is not installed or not on PATH.',
  TOOL_OUTPUT: 'The socket a tool\'s output is read from cannot be made in the temporary directory (not writable, out of file descriptors).',
  SNAPSHOT_FAILED: 'No frame could be taken from the camera for a snapshot.',
  REPLAY_INPUT: 'The replay input file is missing or cannot be decoded.',
  STORE_CORRUPT: 'The SQLite store file is damaged or is not a Huxiao database; it is never silently recreated.',
  STORE_VERSION: 'The SQLite store was written by a newer Huxiao Edge (its schema version is unknown to this one).',
  STORE_FULL: 'The disk or the storage quota is full; the alert or snapshot could not be written.',
  ALERT_UNKNOWN: 'No alert with the given id exists in the store.',
  ALERT_STATE: 'The alert is in a state that does not allow the requested change (e.g. resolving a resolved alert).',
  MQTT_TOPIC: 'A topic is not in the uplink topic layout or contains a wildcard.',
  MQTT_TLS: 'A TLS file named in the mqtt config (CA, certificate, key) cannot be read.',
  PAYLOAD_INVALID: 'A payload the gateway was about to publish does not match its schema (a programming error).',
  CMD_MALFORMED: 'A command payload is not JSON or does not match the command schema.',
  CMD_UNKNOWN: 'A command name is not registered on this gateway.',
  CMD_STALE: 'A command timestamp is too far from the gateway clock.',
  CMD_UNAUTHORIZED: 'A command is unsigned, badly signed, or replays a nonce, while signing is required.',
  CMD_FAILED: 'A command was valid but its handler failed; the message says why.',
  MODEL_MANIFEST: 'models/manifest.json is missing, unreadable or invalid, or names no model for a role and precision.',
  MODEL_MISSING: 'A model file named in the manifest does not exist or cannot be read.',
  MODEL_INTEGRITY: 'A model file differs from the manifest (size or sha256): truncated, tampered with or from another build.',
  MODEL_LOAD: 'onnxruntime could not create a session from a model file that passed the integrity check.',
  INFERENCE_DROPPED: 'An inference request was dropped unrun because a newer frame of the same camera replaced it in a full queue.',
  INFERENCE_FAILED: 'onnxruntime failed while running a model on one input.',
  AUDIO_TOOL_MISSING: 'A tool of the voice chain (espeak-ng, sox, ffmpeg, aplay) is not installed.',
  AUDIO_RENDER: 'Speech synthesis, normalization or playback of a warning failed; the message names the tool and its output.',
  AUDIO_CLIP: 'An operator clip or chime file named in the config is missing or is not a playable WAV or MP3.',
  FACE_PHOTO: 'A face photo cannot be used: unreadable, no face, several faces, or its face too small, too blurred or not frontal enough.',
  FACE_PAIRS: 'The pairs CSV given to `huxiao faces compare --pairs` is unreadable or malformed (columns, yes/no values).',
  GPIO_LINE: 'A configured GPIO line cannot be found (no chip with that label, offset beyond the chip) or cannot be opened.',
  SYSTEMD_NOTIFY: 'The systemd-notify tool (Debian\'s systemd package) cannot be run, so systemd gets no readiness or watchdog messages.',
  UNEXPECTED: 'A failure the runtime has no code for (a bug, or a system error nobody foresaw); reported with its stack and cause.',
  DEVKIT_MISSING: 'The dev kit, or a tool it needs, is not here: `huxiao demo` where only the runtime is installed, or python3 for the RTSP test server.',
  WEB_LISTEN: 'The local page cannot listen on the configured address and port (in use, or not an address of this box).',
  WEB_PASSWORD: 'The local page\'s password cannot be set or checked: too short, or its hash file unreadable, unwritable or damaged.',
  WEB_CONFIG_WRITE: 'A change made on the local page (zones, lines, rules) cannot be written to the config file or applied.',
  GALLERY_KEY: 'The gallery key file is missing, unreadable, open to other users, not 32 bytes, or not the key the gallery was written with.',
  GALLERY_CORRUPT: 'A gallery row fails authentication with the right key: tampered with, moved to another row, or damaged.',
  GALLERY_UNKNOWN_PERSON: 'No person with the given id is in the gallery.',
  GALLERY_PERSON_EXISTS: 'A person with the given id is already enrolled; change or remove them instead.',
  GALLERY_INVALID: 'Enrollment or change input is invalid (id, list, name, embeddings); the message names the field.',
  GALLERY_UNAVAILABLE: 'Enrollment or removal was asked of a gateway whose gallery did not start (its key is missing or wrong: see the log).',
  ENROLL_CSV: 'The CSV given to `huxiao enroll --csv` is unreadable or malformed (columns, a missing name, photo or consent, an id twice).',
  PHOTO_UPLOAD: 'A photo sent for enrollment (cmd/enroll, the local page) is not base64, larger than the limit, or not a JPEG (or PNG on the page).',
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
