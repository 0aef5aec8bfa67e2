import { inspect } from 'node:util';
import { isHuxiaoError, type ErrorCode } from '../errors.js';

export interface FailureReport {
  readonly code: ErrorCode;
  /** What the CLI prints on stderr: `huxiao: CODE: message`, and for an unexpected failure the whole error after it. */
  readonly text: string;
  /** 1 runtime failure, 2 bad input (config, arguments, URL). */
  readonly exitCode: 1 | 2;
}

const BAD_INPUT: readonly ErrorCode[] = ['CAMERA_URL', 'CAMERA_UNKNOWN'];

/** How a command's failure is told to the person who ran it. */
export function failureReport(error: unknown): FailureReport {
  if (isHuxiaoError(error)) {
    const badInput = error.code.startsWith('CONFIG_') || BAD_INPUT.includes(error.code);
    return { code: error.code, text: `huxiao: ${error.code}: ${error.message}\n`, exitCode: badInput ? 2 : 1 };
  }
  const message = error instanceof Error ? error.message : String(error);
  // A bug or an unforeseen system error: stack, cause and fields such as the errno code are what its report needs.
  return { code: 'UNEXPECTED', text: `huxiao: UNEXPECTED: unexpected failure: ${message}\n${inspect(error, { depth: 4 })}\n`, exitCode: 1 };
}
