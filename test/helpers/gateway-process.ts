import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { CLI } from './cli.js';

/** One line the gateway logged (pino JSON on stderr). */
/** The start-up phases of `huxiao run` in order (edge/phases.ts, docs/operations.md); stopped in reverse. */
export const GATEWAY_PHASES = ['storage', 'uplink', 'gallery', 'alerts', 'actions', 'vision', 'cameras', 'operations'];

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface GatewayProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** Exit code (null when a signal killed it) once the process and its pipes closed. */
  readonly exited: Promise<number | null>;
  /** Log lines so far, in order. */
  logs(): LogLine[];
  /** stderr lines that are not log lines (the CLI's own "huxiao: CODE: message"). */
  text(): string[];
}

/** `huxiao run -c <config>` as systemd runs it, logging at debug level so the phases show. */
export function spawnGateway(configPath: string): GatewayProcess {
  const child = spawn(process.execPath, [CLI, 'run', '-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HUXIAO_LOG_LEVEL: 'debug' } });
  const logs: LogLine[] = [];
  const text: string[] = [];
  let partial = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('{')) logs.push(JSON.parse(line) as LogLine);
      else if (line !== '') text.push(line);
    }
  });
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, exited, logs: () => [...logs], text: () => [...text] };
}

/** Command lines of the processes alive now that mention `marker` (a test's temp dir or camera URL). */
export function processesMentioning(marker: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    } catch {
      continue;
    }
    if (pid !== String(process.pid) && cmdline.includes(marker)) found.push(`${pid}: ${cmdline}`);
  }
  return found;
}
