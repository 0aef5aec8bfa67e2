import { startTool, type CompletedExit, type ToolSpec } from './tool.js';

export interface ToolResult {
  readonly exit: CompletedExit;
  /** Everything the tool printed on stdout, as UTF-8: for tools whose output is small (JSON, a listing). */
  readonly stdout: string;
}

/**
 * Runs a tool to completion. Rejects only when it cannot be started (a HuxiaoError with the spec's code, naming the
 * package to install); any run that started resolves, and the caller decides what its exit means.
 */
export async function runTool(spec: Omit<ToolSpec, 'stdout' | 'holdStdin'>): Promise<ToolResult> {
  const tool = startTool({ ...spec, stdout: 'pipe' });
  let stdout = '';
  tool.stdout.setEncoding('utf8');
  tool.stdout.on('data', (chunk: string) => {
    stdout += chunk;
  });
  const exit = await tool.exited;
  if (exit.kind === 'spawn-error') throw exit.error;
  return { exit, stdout };
}
