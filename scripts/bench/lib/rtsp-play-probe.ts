import { connect, createServer, type Server, type Socket } from 'node:net';

export interface ProbeTarget {
  readonly host: string;
  readonly port: number;
}

/**
 * A TCP relay between one camera's ffmpeg and the RTSP test server that notes when the client sends PLAY. The server
 * plays the clip from its first frame when PLAY comes, so PLAY + t is when the picture t seconds into the clip left
 * the "camera": the wall-clock reference for "the person stepped in" that does not depend on how late the gateway
 * itself saw the frame. With RTSP over TCP (the cameras' default) the media flows through the same connection.
 */
export class RtspPlayProbe {
  readonly #target: ProbeTarget;
  readonly #plays: number[] = [];
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #port = 0;

  constructor(target: ProbeTarget) {
    this.#target = target;
  }

  async start(): Promise<void> {
    const server = createServer((client) => {
      this.#relay(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the RTSP probe got no port');
    this.#port = address.port;
    this.#server = server;
  }

  /** The URL a camera reads to go through this probe. */
  url(path: string): string {
    return `rtsp://127.0.0.1:${String(this.#port)}${path}`;
  }

  /** Wall-clock ms of each PLAY request, one per session, in order. */
  plays(): readonly number[] {
    return this.#plays;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    const server = this.#server;
    this.#server = undefined;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  }

  #relay(client: Socket): void {
    const upstream = connect(this.#target.port, this.#target.host);
    this.#sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    let seen = false;
    let tail = '';
    client.on('data', (chunk: Buffer) => {
      if (seen) return;
      // Requests are text until PLAY; after it only interleaved RTCP follows, which is not looked at.
      const text = tail + chunk.toString('latin1');
      if (/(?:^|\n)PLAY rtsp/.test(text)) {
        seen = true;
        this.#plays.push(Date.now());
      }
      tail = text.slice(-16);
    });
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on('error', close);
      socket.on('close', close);
    }
  }
}
