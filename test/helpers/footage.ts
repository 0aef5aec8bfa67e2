import { footageMp4, type FootageOptions } from '../../scripts/devkit/footage.js';

export { footageMp4, footageSource, mediaDir, packageRoot } from '../../scripts/devkit/footage.js';

/** The first `seconds` of vtest.avi as camera-like H.264 MP4 (cached under .cache/media). */
export function shortClip(seconds: number, options: Omit<FootageOptions, 'durationSeconds'> = {}): Promise<string> {
  return footageMp4({ ...options, durationSeconds: seconds });
}
