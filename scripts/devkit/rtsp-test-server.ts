import { join } from 'node:path';
import { LineSplitter } from '../../edge/process/line-splitter.js';
import { describeExit, startTool, type PipedTool } from '../../edge/process/tool.js';
import { packageRoot } from './footage.js';

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
  #server: PipedTool | undefined;

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
    if (this.#server !== undefined) return;
    const { file, port, host, path, user, password } = this.#options;
    const args = [join(packageRoot(), 'scripts', 'rtsp-server.py'), '--file', file, '--port', String(port), '--host', host ?? '127.0.0.1', '--path', path ?? '/stream'];
    if (user !== undefined) args.push('--user', user);
    const server = startTool({
      command: pythonBinary(),
      args,
      env: { ...process.env, HUXIAO_RTSP_PASSWORD: password ?? '' },
      errorCode: 'DEVKIT_MISSING',
      aptPackage: 'python3-gi gir1.2-gst-rtsp-server-1.0',
      purpose: 'the RTSP test server',
      stdout: 'pipe',
      // A Python traceback explains a failed start in its last lines.
      tail: { lines: 50 },
    });
    this.#server = server;
    const outcome = await new Promise<'ready' | 'exited' | 'timeout'>((resolve) => {
      const timer = setTimeout(() => {
        resolve('timeout');
      }, READY_TIMEOUT_MS);
      const splitter = new LineSplitter();
      server.stdout.setEncoding('utf8');
      server.stdout.on('data', (chunk: string) => {
        splitter.push(chunk, (line) => {
          if (!line.startsWith('ready ')) return;
          clearTimeout(timer);
          resolve('ready');
        });
      });
      void server.exited.then(() => {
        clearTimeout(timer);
        resolve('exited');
      });
    });
    if (outcome === 'ready') return;
    this.#server = undefined;
    const exit = await server.stop({ graceMs: 0 });
    if (exit.kind === 'spawn-error') throw exit.error;
    const stderr = exit.stderr.join('\n');
    throw new Error(outcome === 'timeout' ? `RTSP test server not ready after ${String(READY_TIMEOUT_MS)} ms: ${stderr}` : `RTSP test server exited (${describeExit(exit)}): ${stderr}`);
  }

  /** Terminates the server (every session ends) and waits for it to exit. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    // A frozen server acts on SIGTERM only once thawed.
    server?.signal('SIGCONT');
    await server?.stop({ graceMs: 3000 });
  }

  /** Freezes the server (SIGSTOP): connections stay open but no packet flows, as with a hung camera. */
  pause(): void {
    this.#server?.signal('SIGSTOP');
  }

  resume(): void {
    this.#server?.signal('SIGCONT');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
