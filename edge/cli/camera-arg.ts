import { loadConfig } from '../config/load.js';
import { HuxiaoError } from '../errors.js';
import type { Camera } from '../ingest/ffmpeg-args.js';

/** The camera `id` from the config file at `path`; CAMERA_UNKNOWN lists the ids there are. */
export function cameraFromConfig(path: string, id: string): Camera {
  const config = loadConfig(path);
  const camera = config.cameras.find((candidate) => candidate.id === id);
  if (camera === undefined) {
    const known = config.cameras.map((candidate) => candidate.id).join(', ') || 'none';
    throw new HuxiaoError('CAMERA_UNKNOWN', `camera "${id}" is not in ${path} (cameras: ${known})`);
  }
  return camera;
}
