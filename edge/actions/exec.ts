import { spawn } from 'node:child_process';
import { HuxiaoError } from '../errors.js';

export interface RunOptions {
  readonly stdin?: string;
  /** What the command is for, named in errors: "speech synthesis", "clip conversion". */
  readonly purpose: string;
}

/** Runs a short-lived tool to completion; a missing tool and a failing run become distinct, explained errors. */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 4000) stderr += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(new HuxiaoError('AUDIO_TOOL_MISSING', `${command} is not installed (needed for ${options.purpose}); apt-get install ${packageOf(command)}`));
      else reject(new HuxiaoError('AUDIO_RENDER', `${options.purpose}: cannot run ${command}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new HuxiaoError('AUDIO_RENDER', `${options.purpose}: ${command} failed (${signal ?? `exit ${String(code)}`}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}

export function packageOf(command: string): string {
  switch (command) {
    case 'aplay':
      return 'alsa-utils';
    case 'gpioset':
    case 'gpiomon':
    case 'gpiodetect':
      return 'gpiod';
    default:
      return command;
  }
}
