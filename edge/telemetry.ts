import type { CameraWorker } from './camera-worker.js';
import type { Retention } from './store/retention.js';
import type { TelemetryInput } from './uplink/payloads.js';
import type { VisionRuntime } from './vision/runtime.js';

export interface TelemetrySources {
  readonly cameras: () => readonly CameraWorker[];
  readonly vision: VisionRuntime;
  readonly retention: Retention;
}

/** The controller's share of `telemetry`: camera health, detector latency and disk use (the uplink adds its own figures). */
export function telemetryProvider(sources: TelemetrySources): () => TelemetryInput {
  return () => {
    const model = sources.vision.health().find((health) => health.role === 'detector' && health.state === 'ready')?.model;
    const detector = model === undefined ? undefined : sources.vision.stats()[model];
    const usage = sources.retention.usage();
    return {
      cameras: sources.cameras().map((worker) => {
        const status = worker.status();
        return {
          id: status.camera,
          state: status.degraded && status.state === 'streaming' ? 'degraded' : status.state,
          fps: Math.round(status.fps * 100) / 100,
          drops: status.drops + status.superseded,
          reconnects: status.reconnects,
          ...(status.degraded
            ? {}
            : {
                detect: {
                  hz: status.share?.ranHz ?? 0,
                  wantHz: status.share?.wantHz ?? 0,
                  reason: status.share?.limited === true ? 'budget' : (status.detectReason ?? 'idle'),
                  belowNeed: status.share?.limited ?? false,
                },
              }),
        };
      }),
      inference: {
        latencyMsP50: detector === undefined || detector.runMs.count === 0 ? null : detector.runMs.p50,
        latencyMsP95: detector === undefined || detector.runMs.count === 0 ? null : detector.runMs.p95,
      },
      disk: { usedBytes: usage.usedBytes, quotaBytes: usage.quotaBytes, full: usage.full },
    };
  };
}
