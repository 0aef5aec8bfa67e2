import type { StreamFault } from './stderr-classifier.js';

/**
 * What a camera is doing. A failure state stays while the source retries, until frames flow again, so health
 * checks see "unauthorized" rather than a flicker between it and "connecting".
 *  - stopped: not started, disabled, or stopped
 *  - connecting: started, no result yet
 *  - streaming: frames arrive
 *  - stalled: the stream delivered no frame for reconnect.stallTimeoutSeconds and was restarted
 *  - ended: the camera closed the stream normally (ffmpeg exited 0)
 *  - a StreamFault: ffmpeg failed for that reason (see stderr-classifier.ts)
 */
export type CameraState = 'stopped' | 'connecting' | 'streaming' | 'stalled' | 'ended' | StreamFault;

export interface CameraStatus {
  readonly camera: string;
  readonly state: CameraState;
  /** Epoch ms when the state was entered. */
  readonly since: number;
  /** Why, for failure states: ffmpeg's own line with credentials redacted, or the exit code. */
  readonly detail: string | undefined;
  /** Frames per second delivered, measured over the last few seconds. */
  readonly fps: number;
  /** Frames delivered since start (equals the next frame's seq). */
  readonly frames: number;
  /** Frames thrown away because consumers held every pooled buffer. */
  readonly drops: number;
  /** ffmpeg restarts after the first start. */
  readonly reconnects: number;
  /** Epoch ms of the latest frame, undefined before the first. */
  readonly lastFrameAt: number | undefined;
}

export type CameraStateListener = (status: CameraStatus) => void;
