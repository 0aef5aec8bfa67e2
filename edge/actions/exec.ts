import { HuxiaoError } from '../errors.js';
import { runTool } from '../process/run-tool.js';
import { describeExit, succeeded } from '../process/tool.js';

export interface RunOptions {
  readonly stdin?: string;
  /** What the command is for, named in errors: "speech synthesis", "clip conversion". */
  readonly purpose: string;
}

/** Runs a tool of the voice chain to completion: AUDIO_TOOL_MISSING when it is not installed, AUDIO_RENDER when it fails. */
export async function run(command: string, args: readonly string[], options: RunOptions): Promise<void> {
  const { exit } = await runTool({ command, args, errorCode: 'AUDIO_TOOL_MISSING', purpose: options.purpose, input: options.stdin });
  if (!succeeded(exit)) throw new HuxiaoError('AUDIO_RENDER', `${options.purpose}: ${command} failed (${describeExit(exit)}): ${exit.stderr.slice(-3).join(' | ')}`);
}
