import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { basename } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { HuxiaoError, type ErrorCode } from '../errors.js';
import { LineSplitter } from './line-splitter.js';
import { StderrTail, type TailLimits } from './stderr-tail.js';

/** Debian packages of the tools whose package is not named like the tool. */
const APT_PACKAGES: Readonly<Record<string, string>> = {
  ffprobe: 'ffmpeg',
  aplay: 'alsa-utils',
  gpiodetect: 'gpiod',
  gpioget: 'gpiod',
  gpioset: 'gpiod',
  gpiomon: 'gpiod',
};

const DEFAULT_GRACE_MS = 2000;

export interface ToolSpec {
  /** A name looked up on PATH, or a path. */
  readonly command: string;
  readonly args: readonly string[];
  /** The code of the error when the tool cannot be started (not installed, not executable). */
  readonly errorCode: ErrorCode;
  /** What the tool is needed for, named in that error: "speech synthesis". */
  readonly purpose?: string;
  /** The Debian package that provides the tool (default: the table above, else the tool's own name). */
  readonly aptPackage?: string;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * 'pipe' to read the tool's stdout (RunningTool.stdout); a socket to make it the tool's stdout (stdout-reader.ts);
   * by default it goes nowhere.
   */
  readonly stdout?: 'pipe' | 'ignore' | Socket;
  /** Written to the tool's stdin, which is then closed. Without it (and without holdStdin) stdin is /dev/null. */
  readonly input?: string;
  /**
   * Keep stdin open until stop({ ask: 'end-stdin' }): for a tool that runs until EOF on it, which the kernel also
   * delivers when this process dies, even by SIGKILL.
   */
  readonly holdStdin?: boolean;
  /** Every stderr line as it completes (chunks joined, "\r" progress lines split), for classification. */
  readonly onStderrLine?: (line: string) => void;
  /** How much stderr the exit keeps (default the last 20 lines, at most 4000 characters). */
  readonly tail?: TailLimits;
  /** Stopped as by stop() once it has run this long; its exit is then 'timeout'. */
  readonly timeoutMs?: number;
  /** Between SIGTERM and SIGKILL when the timeout stops it (default 2000 ms). */
  readonly killGraceMs?: number;
}

/**
 * Why a tool's run ended. 'stopped' and 'timeout' are ends this side asked for, whatever the tool then returned; their
 * `signal` is the one that ended it (SIGKILL when it ignored SIGTERM), null when it exited by itself.
 */
export type ExitCause =
  | { readonly kind: 'exit'; readonly code: number }
  | { readonly kind: 'signal'; readonly signal: NodeJS.Signals }
  | { readonly kind: 'timeout'; readonly afterMs: number; readonly signal: NodeJS.Signals | null }
  | { readonly kind: 'stopped'; readonly signal: NodeJS.Signals | null }
  | { readonly kind: 'spawn-error'; readonly error: HuxiaoError };

export interface ExitFacts {
  /** Milliseconds from spawn to exit. */
  readonly ranMs: number;
  /** The last lines of stderr, oldest first. Raw: a caller whose tool may echo a secret redacts before showing them. */
  readonly stderr: readonly string[];
}

export type ToolExit = ExitCause & ExitFacts;

/** An exit of a tool that did start. */
export type CompletedExit = Exclude<ExitCause, { readonly kind: 'spawn-error' }> & ExitFacts;

export interface StopOptions {
  /** How long the tool gets to exit after being asked before SIGKILL (default 2000 ms). */
  readonly graceMs?: number;
  /** How it is asked: SIGTERM (default), or EOF on its stdin for a tool started with holdStdin. */
  readonly ask?: 'SIGTERM' | 'end-stdin';
}

type Stdout<S extends ToolSpec> = S['stdout'] extends 'pipe' ? Readable : null;

export interface RunningTool<S extends ToolSpec = ToolSpec> {
  /** Undefined when it could not be started. */
  readonly pid: number | undefined;
  readonly stdout: Stdout<S>;
  /**
   * Settles once the tool has exited and its pipes are closed; never rejects (a spawn failure is an exit cause). A
   * piped stdout must be read to its end (or destroyed) for this to settle.
   */
  readonly exited: Promise<ToolExit>;
  readonly running: boolean;
  /**
   * Asks the tool to end, kills it with SIGKILL after the grace, and resolves with its exit, so nothing is left
   * running. The tools run here do not fork; a wrapper script must exec its tool for the kill to reach it.
   */
  stop(options?: StopOptions): Promise<ToolExit>;
  /** Sends a signal while it runs (SIGSTOP / SIGCONT freeze and thaw it); ignored after the exit. */
  signal(signal: NodeJS.Signals): void;
}

/** A running tool whose stdout is piped. */
export type PipedTool = RunningTool<ToolSpec & { readonly stdout: 'pipe' }>;

function aptPackageOf(command: string): string {
  const name = basename(command);
  return APT_PACKAGES[name] ?? name;
}

export function succeeded(exit: ExitCause): boolean {
  return exit.kind === 'exit' && exit.code === 0;
}

/** "exit 3", "SIGKILL", "timed out after 500 ms", "stopped", or why it could not start. */
export function describeExit(exit: ExitCause): string {
  switch (exit.kind) {
    case 'exit':
      return `exit ${String(exit.code)}`;
    case 'signal':
      return exit.signal;
    case 'timeout':
      return `timed out after ${String(exit.afterMs)} ms`;
    case 'stopped':
      return 'stopped';
    case 'spawn-error':
      return exit.error.message;
  }
}

function cannotStart(spec: ToolSpec, error: unknown): HuxiaoError {
  const needed = spec.purpose === undefined ? '' : `; needed for ${spec.purpose}`;
  const missing = (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  const why = missing
    ? `${spec.command} is not installed or not on PATH (apt-get install ${spec.aptPackage ?? aptPackageOf(spec.command)})`
    : `cannot start ${spec.command}: ${error instanceof Error ? error.message : String(error)}`;
  return new HuxiaoError(spec.errorCode, why + needed, { cause: error });
}

function spawnChild(spec: ToolSpec): { readonly child: ChildProcess } | { readonly failure: unknown } {
  const stdin = spec.holdStdin === true || spec.input !== undefined ? 'pipe' : 'ignore';
  try {
    // Never spawnSync: one slow tool must not block the event loop every camera shares.
    return { child: spawn(spec.command, spec.args, { stdio: [stdin, spec.stdout ?? 'ignore', 'pipe'], env: spec.env }) };
  } catch (error) {
    // spawn throws for errors other than the usual ENOENT / EACCES / EAGAIN (E2BIG, EINVAL), which it emits.
    return { failure: error };
  }
}

/**
 * Starts an external tool, asynchronously. The one place the runtime spawns processes: the message for a missing
 * tool, the stderr tail, the exit cause and the kill on stop are the same for every tool.
 */
export function startTool<const S extends ToolSpec>(spec: S): RunningTool<S> {
  const startedAt = performance.now();
  const tail = new StderrTail(spec.tail);
  const spawned = spawnChild(spec);
  if ('failure' in spawned) return unstartedTool(spec, cannotStart(spec, spawned.failure));
  const { child } = spawned;

  const splitter = new LineSplitter();
  const onLine = (line: string): void => {
    tail.push(line);
    spec.onStderrLine?.(line);
  };
  let ending: 'stopped' | 'timeout' | undefined;
  let spawnError: unknown;
  let done = false;
  let killTimer: NodeJS.Timeout | undefined;

  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    splitter.push(chunk, onLine);
  });
  // EPIPE when the tool exits before reading its input; the exit tells what happened.
  child.stdin?.on('error', () => undefined);
  if (spec.input !== undefined) child.stdin?.end(spec.input);

  const end = (why: 'stopped' | 'timeout', options: StopOptions = {}): void => {
    if (done) return;
    ending ??= why;
    if (options.ask === 'end-stdin') child.stdin?.end();
    else child.kill('SIGTERM');
    killTimer ??= setTimeout(() => child.kill('SIGKILL'), options.graceMs ?? DEFAULT_GRACE_MS);
  };
  const timeoutMs = spec.timeoutMs;
  const timeout = timeoutMs === undefined ? undefined : setTimeout(() => {
    end('timeout', { graceMs: spec.killGraceMs });
  }, timeoutMs);

  const exited = new Promise<ToolExit>((resolve) => {
    child.on('error', (error) => {
      // Later errors (a failed kill) do not change how the run ends; only a spawn failure leaves no pid.
      if (child.pid === undefined) spawnError = error;
    });
    child.on('close', (code, signal) => {
      done = true;
      clearTimeout(timeout);
      clearTimeout(killTimer);
      splitter.flush(onLine);
      const facts: ExitFacts = { ranMs: performance.now() - startedAt, stderr: tail.lines() };
      if (spawnError !== undefined) resolve({ kind: 'spawn-error', error: cannotStart(spec, spawnError), ...facts });
      else if (ending === 'timeout') resolve({ kind: 'timeout', afterMs: timeoutMs ?? 0, signal, ...facts });
      else if (ending === 'stopped') resolve({ kind: 'stopped', signal, ...facts });
      else if (signal !== null) resolve({ kind: 'signal', signal, ...facts });
      else resolve({ kind: 'exit', code: code ?? -1, ...facts });
    });
  });

  return {
    pid: child.pid,
    // Null only when spawning failed before the pipes were made (EMFILE); callers read an empty stream then.
    stdout: (spec.stdout === 'pipe' ? (child.stdout ?? emptyStream()) : null) as Stdout<S>,
    exited,
    get running() {
      return !done;
    },
    stop: (options) => {
      end('stopped', options);
      return exited;
    },
    signal: (signal) => {
      if (!done) child.kill(signal);
    },
  };
}

function emptyStream(): Readable {
  const stream = new PassThrough();
  stream.end();
  return stream;
}

/** A tool that could not be started, with the error that says why as its exit. */
export function unstartedTool<S extends ToolSpec>(spec: S, error: HuxiaoError): RunningTool<S> {
  const exited = Promise.resolve<ToolExit>({ kind: 'spawn-error', error, ranMs: 0, stderr: [] });
  return {
    pid: undefined,
    stdout: (spec.stdout === 'pipe' ? emptyStream() : null) as Stdout<S>,
    exited,
    running: false,
    stop: () => exited,
    signal: () => undefined,
  };
}
