import { liveViewArgs, type Camera } from '../ingest/ffmpeg-args.js';
import { ffmpegTool } from '../ingest/ffmpeg-process.js';
import { redactText } from '../ingest/camera-url.js';
import { moduleLogger } from '../log.js';
import { describeExit, startTool, type PipedTool } from '../process/tool.js';

/** The part of a websocket the hub uses (ws's WebSocket has it). */
export interface Viewer {
  readonly bufferedAmount: number;
  send(data: Buffer): void;
  close(code: number, reason: string): void;
}

export interface LiveStreamsContext {
  /** The running camera's config, by id; undefined when the camera is unknown or disabled. */
  readonly camera: (id: string) => Camera | undefined;
  /** Starts the encoder for a camera; default ffmpeg through edge/process. Tests count or replace it. */
  readonly start?: (camera: Camera) => PipedTool;
}

/** Live view size: enough to see people and zones on a laptop or a phone, cheap to encode beside the detector. */
const VIEW_WIDTH = 640;
const VIEW_BITRATE_KBPS = 800;
/** A viewer this far behind (a phone on weak Wi-Fi) is dropped; its player reconnects and starts fresh. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const RESTART_MIN_MS = 1000;
const RESTART_MAX_MS = 15_000;
/** An encoder that ran this long before dying is restarted at once again, not after a grown delay. */
const HEALTHY_RUN_MS = 10_000;

const log = moduleLogger('live');

function ffmpegLiveView(camera: Camera): PipedTool {
  return startTool({ ...ffmpegTool(liveViewArgs(camera, { width: Math.min(VIEW_WIDTH, camera.detect.width), bitrateKbps: VIEW_BITRATE_KBPS })), stdout: 'pipe', purpose: 'the live view' });
}

class Stream {
  readonly viewers = new Set<Viewer>();
  tool: PipedTool | undefined;
  restartTimer: NodeJS.Timeout | undefined;
  restartDelayMs = RESTART_MIN_MS;
  starts = 0;
}

export interface LiveStatus {
  readonly viewers: number;
  /** pid of the running encoder; undefined while none runs. */
  readonly pid: number | undefined;
  /** Encoders started for this camera since the hub was made. */
  readonly starts: number;
}

/**
 * The page's live view, one MPEG-TS stream per camera shared by all its viewers. node-rtsp-stream's way (ffmpeg ->
 * MPEG-1 in MPEG-TS -> every websocket -> JSMpeg) without its limits: the data goes over the page's own, logged-in
 * websocket route instead of an open port per stream; the encoder starts with the first viewer and stops when the
 * last one leaves, so an unwatched camera costs nothing; and an encoder that dies while someone watches is restarted
 * with a growing delay.
 */
export class LiveStreams {
  readonly #context: LiveStreamsContext;
  readonly #streams = new Map<string, Stream>();
  #closed = false;

  constructor(context: LiveStreamsContext) {
    this.#context = context;
  }

  /** Adds a viewer of a camera; returns the function to call when it leaves, or undefined for an unknown camera. */
  join(cameraId: string, viewer: Viewer): (() => void) | undefined {
    if (this.#closed || this.#context.camera(cameraId) === undefined) return undefined;
    let stream = this.#streams.get(cameraId);
    if (stream === undefined) {
      stream = new Stream();
      this.#streams.set(cameraId, stream);
    }
    stream.viewers.add(viewer);
    if (stream.tool === undefined && stream.restartTimer === undefined) this.#start(cameraId, stream);
    const joined = stream;
    return () => {
      this.#leave(cameraId, joined, viewer);
    };
  }

  status(cameraId: string): LiveStatus {
    const stream = this.#streams.get(cameraId);
    return { viewers: stream?.viewers.size ?? 0, pid: stream?.tool?.running === true ? stream.tool.pid : undefined, starts: stream?.starts ?? 0 };
  }

  /** Closes every viewer and stops every encoder; resolves once they have exited. */
  async stop(): Promise<void> {
    this.#closed = true;
    const stopping = [...this.#streams.values()].flatMap((stream) => {
      clearTimeout(stream.restartTimer);
      stream.restartTimer = undefined;
      for (const viewer of stream.viewers) viewer.close(1001, 'the gateway is stopping');
      stream.viewers.clear();
      return stream.tool === undefined ? [] : [stream.tool.stop()];
    });
    this.#streams.clear();
    await Promise.all(stopping);
  }

  #start(cameraId: string, stream: Stream): void {
    stream.restartTimer = undefined;
    const camera = this.#context.camera(cameraId);
    if (camera === undefined || stream.viewers.size === 0) {
      for (const viewer of stream.viewers) viewer.close(1011, 'the camera is no longer configured');
      this.#streams.delete(cameraId);
      return;
    }
    const tool = (this.#context.start ?? ffmpegLiveView)(camera);
    stream.tool = tool;
    stream.starts += 1;
    const startedAt = Date.now();
    tool.stdout.on('data', (chunk: Buffer) => {
      for (const viewer of stream.viewers) {
        if (viewer.bufferedAmount > MAX_BUFFERED_BYTES) {
          stream.viewers.delete(viewer);
          viewer.close(1013, 'too far behind the live picture; reconnect');
        } else viewer.send(chunk);
      }
    });
    void tool.exited.then((exit) => {
      if (stream.tool !== tool) return;
      stream.tool = undefined;
      if (this.#closed || stream.viewers.size === 0) return;
      if (Date.now() - startedAt >= HEALTHY_RUN_MS) stream.restartDelayMs = RESTART_MIN_MS;
      const delay = stream.restartDelayMs;
      stream.restartDelayMs = Math.min(RESTART_MAX_MS, delay * 2);
      log.warn({ camera: cameraId, exit: describeExit(exit), stderr: exit.stderr.slice(-3).map(redactText), restartInMs: delay }, 'live view encoder ended while watched; restarting');
      stream.restartTimer = setTimeout(() => {
        this.#start(cameraId, stream);
      }, delay);
    });
  }

  #leave(cameraId: string, stream: Stream, viewer: Viewer): void {
    stream.viewers.delete(viewer);
    if (stream.viewers.size > 0 || this.#streams.get(cameraId) !== stream) return;
    this.#streams.delete(cameraId);
    clearTimeout(stream.restartTimer);
    stream.restartTimer = undefined;
    const tool = stream.tool;
    stream.tool = undefined;
    if (tool !== undefined) void tool.stop();
  }
}
