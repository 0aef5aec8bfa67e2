import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HuxiaoError } from '../errors.js';
import { startTool, unstartedTool, type RunningTool, type ToolExit, type ToolSpec } from './tool.js';

/** Bytes taken per read; a unix socket's send buffer is about 200 KiB, so a read rarely finds more. */
const READ_BUFFER_BYTES = 256 * 1024;
/** How long the reading end may stay open after the tool exited (a grandchild holding its stdout), then it is cut. */
const DRAIN_GRACE_MS = 1000;

export type ReaderSpec = Omit<ToolSpec, 'stdout'>;

/**
 * Starts a tool whose stdout is read into one buffer reused for every read: `onBytes` gets a view into it and must
 * copy what it keeps before returning. A piped stdout allocates a new 64 KiB buffer per read instead; at 1280x720
 * RGB and 5 fps that is 14 MB a second per camera for the garbage collector, which took 13% of the gateway's main
 * thread at 8 cameras. Node reads into a caller's buffer only on a net.Socket (`onread`), so the tool's stdout is one
 * end of a connected unix socket pair, made through a listening socket in a private temporary directory that is
 * removed as soon as the pair is connected. `exited` settles once the tool has exited and every byte it wrote was
 * handed to `onBytes`.
 */
export async function startToolReading(spec: ReaderSpec, onBytes: (bytes: Buffer) => void): Promise<RunningTool> {
  let pair: SocketPair;
  try {
    pair = await socketPair(onBytes);
  } catch (error) {
    return unstartedTool(spec, new HuxiaoError('TOOL_OUTPUT', `cannot make the socket ${spec.command}'s output is read from: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
  }
  const tool = startTool({ ...spec, stdout: pair.far });
  // The tool holds its own copy of the descriptor now; ours would keep the reading end from ever seeing the end.
  pair.far.destroy();
  const exited = tool.exited.then(async (exit): Promise<ToolExit> => {
    const cut = setTimeout(() => pair.near.destroy(), DRAIN_GRACE_MS);
    await pair.nearClosed;
    clearTimeout(cut);
    return exit;
  });
  return {
    get pid() {
      return tool.pid;
    },
    stdout: null,
    exited,
    get running() {
      return tool.running;
    },
    stop: async (options) => {
      await tool.stop(options);
      return exited;
    },
    signal: (signal) => {
      tool.signal(signal);
    },
  };
}

interface SocketPair {
  /** This process's end, reading into the reused buffer. */
  readonly near: Socket;
  /** The end handed to the tool as its stdout. */
  readonly far: Socket;
  /** Settles when the near end has closed, after the last byte was read. */
  readonly nearClosed: Promise<void>;
}

async function socketPair(onBytes: (bytes: Buffer) => void): Promise<SocketPair> {
  // mkdtemp makes the directory 0700: no other user can connect in the moment the socket listens. The service's
  // TMPDIR is unset (PrivateTmp's /tmp), so the path stays far below the 108 bytes a socket path may have.
  const dir = await mkdtemp(join(tmpdir(), 'huxiao-out-'));
  const server = createServer();
  try {
    const path = join(dir, 'stdout.sock');
    await listen(server, path);
    const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const near = connect({ path, onread: { buffer, callback: (bytes: number) => {
      onBytes(buffer.subarray(0, bytes));
      return true;
    } } });
    const nearClosed = new Promise<void>((resolve) => near.once('close', () => {
      resolve();
    }));
    const far = await new Promise<Socket>((resolve, reject) => {
      server.once('connection', resolve);
      server.once('error', reject);
      near.once('error', reject);
    }).catch((error: unknown) => {
      near.destroy();
      throw error;
    });
    // Reading stops at the tool's end of output; errors (a reset) end the same way and the tool's exit says why.
    near.on('error', () => undefined);
    far.on('error', () => undefined);
    return { near, far, nearClosed };
  } finally {
    server.close();
    // The socket file is gone with the server; an empty directory left in the temporary directory must not fail a
    // pair that is connected.
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
