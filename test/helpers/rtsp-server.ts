import { footageMp4 } from '../../scripts/devkit/footage.js';
import { RtspTestServer } from '../../scripts/devkit/rtsp-test-server.js';
import { freePort } from './ports.js';

export { RtspTestServer };

export interface StartOptions {
  /** MP4 to serve; default the first 20 s of the footage (each session plays it once). */
  readonly file?: string;
  readonly path?: string;
  readonly user?: string;
  readonly password?: string;
}

/** A started RTSP server on a free loopback port; the caller stops it. */
export async function startRtspServer(options: StartOptions = {}): Promise<RtspTestServer> {
  const file = options.file ?? (await footageMp4({ durationSeconds: 20 }));
  const server = new RtspTestServer({ ...options, file, port: await freePort() });
  await server.start();
  return server;
}
