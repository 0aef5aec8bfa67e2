import type { Clock } from '../clock/clock.js';
import { moduleLogger, type Logger } from '../log.js';
import { startToolReading } from '../process/stdout-reader.js';
import { describeExit, type RunningTool, type ToolExit } from '../process/tool.js';
import { Backoff } from './backoff.js';
import type { CameraState, CameraStateListener, CameraStatus } from './camera-status.js';
import { redactUrl } from './camera-url.js';
import { liveArgs, RTSP_SOCKET_TIMEOUT_US, type Camera } from './ffmpeg-args.js';
import { ffmpegTool } from './ffmpeg-process.js';
import type { Frame } from './frame.js';
import { FrameReader } from './frame-reader.js';
import { FpsMeter } from './fps-meter.js';
import { classifyStderrLine, worstFault, type ClassifiedLine } from './stderr-classifier.js';

export interface CameraSourceOptions {
  readonly camera: Camera;
  readonly clock: Clock;
  /** Called synchronously per frame; the frame is released when it returns unless the consumer retained it. */
  readonly onFrame: (frame: Frame) => void;
  /** Pooled frame buffers (default 4). */
  readonly poolSize?: number;
  /** Uniform [0, 1) source for the reconnect jitter; tests pin it. */
  readonly random?: () => number;
}

/**
 * Before the first frame of a run, ffmpeg may legitimately spend seconds on the RTSP handshake and on probing the
 * stream, so a short stall timeout (tests use 2 s) must not kill a connection that is still being set up.
 */
const MIN_STARTUP_TIMEOUT_MS = 15_000;
/** ffmpeg stderr lines logged per run; a lossy UDP stream can print a decode error per packet. */
const LOGGED_LINES_PER_RUN = 5;
/**
 * Decoding key frames only, pictures further apart than this are too few for the presence rules' look a second and
 * for the tracker, which drops a moving track unseen for 2 s.
 */
const KEYFRAME_GAP_MS = 2000;

interface Run {
  /** Settles once the socket its stdout goes to is made and ffmpeg spawned. */
  readonly ffmpeg: Promise<RunningTool>;
  readonly startedAt: number;
  readonly lines: ClassifiedLine[];
  frames: number;
  stalled: boolean;
  suppressed: number;
  /** The log said that key frames come too far apart (once per run). */
  sparseWarned: boolean;
}

/**
 * One live camera: ffmpeg pulls the RTSP stream, the frame reader cuts frames, and this class keeps it running:
 * reconnect with backoff and jitter, restart on stall, a state other parts can watch. Everything is asynchronous,
 * so a camera that hangs or fails never delays another.
 */
export class CameraSource {
  readonly #options: CameraSourceOptions;
  readonly #log: Logger;
  readonly #reader: FrameReader;
  readonly #backoff: Backoff;
  readonly #fps = new FpsMeter();
  readonly #listeners = new Set<CameraStateListener>();
  #run: Run | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #running = false;
  #state: CameraState = 'stopped';
  #since: number;
  #detail: string | undefined;
  #reconnects = 0;
  #lastFrameAt: number | undefined;
  #lastFrameMono = 0;

  constructor(options: CameraSourceOptions) {
    this.#options = options;
    const { camera } = options;
    this.#log = moduleLogger('ingest', { camera: camera.id });
    this.#reader = new FrameReader({
      camera: camera.id,
      width: camera.detect.width,
      height: camera.detect.height,
      clock: options.clock,
      poolSize: options.poolSize ?? 4,
      whenExhausted: 'drop',
    });
    this.#backoff = new Backoff({ initialMs: camera.reconnect.initialDelayMs, maxMs: camera.reconnect.maxDelayMs, random: options.random });
    this.#since = options.clock.now();
  }

  start(): void {
    if (this.#running) return;
    const { camera } = this.#options;
    if (!camera.enabled) {
      this.#setState('stopped', 'disabled in the config');
      return;
    }
    this.#running = true;
    this.#log.info({ url: redactUrl(camera.url), transport: camera.input.transport, detect: camera.detect }, 'camera starting');
    this.#setState('connecting', undefined);
    this.#spawn();
    const tick = Math.min(1000, camera.reconnect.stallTimeoutSeconds * 250);
    this.#watchdog = setInterval(() => {
      this.#checkStall();
    }, tick);
  }

  /** Stops retrying, kills ffmpeg and resolves once it has exited. */
  async stop(): Promise<void> {
    this.#running = false;
    clearInterval(this.#watchdog);
    clearTimeout(this.#retryTimer);
    this.#watchdog = undefined;
    this.#retryTimer = undefined;
    const run = this.#run;
    // A run whose output socket is still being made is stopped once its ffmpeg has started.
    if (run !== undefined) await (await run.ffmpeg).stop();
    this.#reader.reset();
    this.#setState('stopped', undefined);
  }

  status(): CameraStatus {
    return {
      camera: this.#options.camera.id,
      state: this.#state,
      since: this.#since,
      detail: this.#detail,
      fps: this.#fps.rate(performance.now()),
      frames: this.#reader.delivered,
      drops: this.#reader.dropped,
      reconnects: this.#reconnects,
      lastFrameAt: this.#lastFrameAt,
    };
  }

  /** Calls `listener` on every state change; returns a function that unsubscribes it. */
  onState(listener: CameraStateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #spawn(): void {
    this.#reader.reset();
    const spec = {
      ...ffmpegTool(liveArgs(this.#options.camera)),
      onStderrLine: (line: string) => {
        this.#stderrLine(run, line);
      },
    };
    const run: Run = {
      // Its exit settles after the last byte was read, and only then can a next run reset the reader.
      ffmpeg: startToolReading(spec, (bytes) => {
        this.#reader.push(bytes, (frame) => {
          this.#deliver(run, frame);
        });
      }),
      startedAt: performance.now(),
      lines: [],
      frames: 0,
      stalled: false,
      suppressed: 0,
      sparseWarned: false,
    };
    this.#run = run;
    this.#lastFrameMono = run.startedAt;
    void run.ffmpeg.then(async (ffmpeg) => {
      this.#exited(run, await ffmpeg.exited);
    });
  }

  #deliver(run: Run, frame: Frame): void {
    run.frames += 1;
    const now = performance.now();
    if (run.frames > 1 && !run.sparseWarned && this.#options.camera.input.decode === 'keyframes' && now - this.#lastFrameMono > KEYFRAME_GAP_MS) {
      run.sparseWarned = true;
      this.#log.warn(
        { gapMs: Math.round(now - this.#lastFrameMono) },
        "key frames come more than 2 s apart, too few for the camera's rules: set the camera's I-frame interval to 1 s, or its input.decode to all",
      );
    }
    this.#lastFrameMono = now;
    this.#lastFrameAt = frame.ts;
    this.#fps.tick(now);
    if (this.#state !== 'streaming') {
      this.#backoff.reset();
      this.#setState('streaming', undefined);
    }
    try {
      this.#options.onFrame(frame);
    } catch (error) {
      this.#log.error({ err: error, seq: frame.seq }, 'frame consumer threw; frame skipped');
    }
  }

  #stderrLine(run: Run, line: string): void {
    const classified = classifyStderrLine(line);
    if (classified === undefined) return;
    run.lines.push(classified);
    if (run.lines.length <= LOGGED_LINES_PER_RUN) this.#log.warn({ fault: classified.fault, ffmpeg: classified.text }, 'ffmpeg reported a problem');
    else run.suppressed += 1;
    if (run.lines.length > 50) run.lines.splice(1, run.lines.length - 50);
  }

  #checkStall(): void {
    const run = this.#run;
    if (run === undefined || run.stalled) return;
    const stallMs = this.#options.camera.reconnect.stallTimeoutSeconds * 1000;
    const limit = run.frames === 0 ? Math.max(stallMs, MIN_STARTUP_TIMEOUT_MS) : stallMs;
    const silentFor = performance.now() - this.#lastFrameMono;
    if (silentFor < limit) return;
    run.stalled = true;
    this.#log.warn({ silentMs: Math.round(silentFor), frames: run.frames }, 'stream stalled; restarting ffmpeg');
    void run.ffmpeg.then((ffmpeg) => ffmpeg.stop({ graceMs: 500 }));
  }

  #exited(run: Run, exit: ToolExit): void {
    if (this.#run === run) this.#run = undefined;
    if (run.suppressed > 0) this.#log.warn({ suppressed: run.suppressed }, 'further ffmpeg stderr lines not logged');
    if (!this.#running) return;
    this.#log.info({ exit: describeExit(exit), frames: run.frames, ranMs: Math.round(exit.ranMs) }, 'ffmpeg exited');
    if (exit.kind === 'spawn-error') {
      this.#fail('error', exit.error.message);
      return;
    }
    if (run.stalled) {
      this.#fail('stalled', `no frame for ${String(this.#options.camera.reconnect.stallTimeoutSeconds)} s`);
      return;
    }
    // Exit 0 is a clean end of stream; decode errors logged on the way (UDP loss) did not end it.
    if (exit.kind === 'exit' && exit.code === 0) {
      this.#fail('ended', 'the camera ended the stream');
      return;
    }
    const cause = worstFault(run.lines);
    if (cause === undefined) {
      this.#fail('error', `ffmpeg exited (${describeExit(exit)})`);
      return;
    }
    // ffmpeg reports its RTSP socket timeout as "Invalid data found when processing input"; the run's length tells.
    const timedOut = cause.fault === 'error' && run.frames === 0 && exit.ranMs >= RTSP_SOCKET_TIMEOUT_US / 1000;
    this.#fail(timedOut ? 'timeout' : cause.fault, cause.text);
  }

  /** Records why the run ended and schedules the next one. */
  #fail(state: CameraState, detail: string): void {
    this.#setState(state, detail);
    if (!this.#running) return;
    const delay = this.#backoff.next();
    this.#log.info({ state, delayMs: delay, attempt: this.#backoff.attempt }, 'reconnect scheduled');
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (!this.#running) return;
      this.#reconnects += 1;
      this.#spawn();
    }, delay);
  }

  #setState(state: CameraState, detail: string | undefined): void {
    if (state === this.#state && detail === this.#detail) return;
    const previous = this.#state;
    this.#state = state;
    this.#detail = detail;
    this.#since = this.#options.clock.now();
    if (state !== previous) this.#log.info({ state, previous, detail }, 'camera state');
    const status = this.status();
    for (const listener of this.#listeners) {
      try {
        listener(status);
      } catch (error) {
        this.#log.error({ err: error }, 'camera state listener threw');
      }
    }
  }
}
