import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { packageRoot } from './footage.js';
import { LineSplitter } from '../../edge/process/line-splitter.js';

export interface RtspTestServerOptions {
  /** H.264 MP4 to serve (see footageMp4()). */
  readonly file: string;
  readonly port: number;
  readonly host?: string;
  /** Mount path, default "/stream". */
  readonly path?: string;
  /** Require basic auth with this user and password. */
  readonly user?: string;
  readonly password?: string;
}

/** GStreamer needs Debian's python with the gi bindings; the python3 first on PATH may be another build. */
function pythonBinary(): string {
  return process.env.HUXIAO_GI_PYTHON ?? '/usr/bin/python3';
}

const READY_TIMEOUT_MS = 20_000;

/**
 * scripts/rtsp-server.py (GStreamer's RTSP server) as a child process: an IP camera on loopback for tests, the
 * demo and benchmarks. Each RTSP session plays the file once from the start, over TCP-interleaved or UDP.
 */
export class RtspTestServer {
  readonly #options: RtspTestServerOptions;
  #child: ChildProcessByStdio<null, Readable, Readable> | undefined;

  constructor(options: RtspTestServerOptions) {
    this.#options = options;
  }

  /** rtsp://host:port/path, with the given credentials as user info when passed. */
  url(credentials?: { user: string; password: string }): string {
    const auth = credentials === undefined ? '' : `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@`;
    return `rtsp://${auth}${this.#options.host ?? '127.0.0.1'}:${String(this.#options.port)}${this.#options.path ?? '/stream'}`;
  }

  /** Resolves when the server prints "ready" (it listens); rejects with its stderr if it exits first. */
  async start(): Promise<void> {
    if (this.#child !== undefined) return;
    const { file, port, host, path, user, password } = this.#options;
    const args = [join(packageRoot(), 'scripts', 'rtsp-server.py'), '--file', file, '--port', String(port), '--host', host ?? '127.0.0.1', '--path', path ?? '/stream'];
    if (user !== undefined) args.push('--user', user);
    const env = { ...process.env, HUXIAO_RTSP_PASSWORD: password ?? '' };
    const child = spawn(pythonBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    this.#child = child;
    await new Promise<void>((resolve, reject) => {
      let stderr = '';
      let settled = false;
      const splitter = new LineSplitter();
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        this.#child = undefined;
        reject(error);
      };
      const timer = setTimeout(() => {
        fail(new Error(`RTSP test server not ready after ${String(READY_TIMEOUT_MS)} ms: ${stderr.trim()}`));
      }, READY_TIMEOUT_MS);
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-4000);
      });
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        splitter.push(chunk, (line) => {
          if (settled || !line.startsWith('ready ')) return;
          settled = true;
          clearTimeout(timer);
          resolve();
        });
      });
      child.once('error', fail);
      child.once('exit', (code) => {
        fail(new Error(`RTSP test server exited with ${String(code)}: ${stderr.trim()}`));
      });
    });
  }

  /** Terminates the server (every session ends) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('close', () => {
      resolve();
    }));
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  }

  /** Freezes the server (SIGSTOP): connections stay open but no packet flows, as with a hung camera. */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
