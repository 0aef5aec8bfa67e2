import { isHuxiaoError } from '../errors.js';

/** What the CLI prints for an error and the exit code it ends with. */
export interface Failure {
  /** 1 runtime failure, 2 bad input (config, arguments, URL). */
  readonly exitCode: 1 | 2;
  readonly text: string;
}

/** A coded error is the user's to fix and prints as its message; anything else is a bug and keeps its stack. */
export function failure(error: unknown): Failure {
  if (isHuxiaoError(error)) {
    const badInput = error.code.startsWith('CONFIG_') || error.code === 'CAMERA_URL' || error.code === 'CAMERA_UNKNOWN';
    return { exitCode: badInput ? 2 : 1, text: `huxiao: ${error.code}: ${error.message}\n` };
  }
  return { exitCode: 1, text: `huxiao: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n` };
}
