import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Health, summarize, type CameraProbe, type HealthCheck, type HealthSources } from '../../../edge/ops/health.js';

interface Rig {
  readonly health: Health;
  readonly camera: { -readonly [K in keyof CameraProbe]: CameraProbe[K] };
  /** Advances the clock by `ms` in one-second samples, moving the camera's counters as `each` says. */
  readonly step: (ms: number, each?: (camera: Rig['camera']) => void) => void;
  readonly cameraCheck: () => HealthCheck | undefined;
  /** Moves the clock without a sample, as between two ticks of the sampling timer. */
  readonly advance: (ms: number) => void;
}

function rig(overrides: Partial<HealthSources> = {}): Rig {
  let now = 0;
  const camera: Rig['camera'] = {
    camera: 'gate', state: 'connecting', frames: 0, processed: 0, reconnects: 0, degraded: false, stallTimeoutSeconds: 2, maxReconnectDelayMs: 1000,
  };
  const health = new Health(
    { cameras: () => [{ ...camera }], probeStore: () => undefined, storeFull: () => false, detectorReady: () => true, phase: () => 'running', ...overrides },
    { now: () => now },
  );
  health.sample();
  return {
    health,
    camera,
    step: (ms, each) => {
      for (let left = ms; left > 0; left -= 1000) {
        now += Math.min(1000, left);
        each?.(camera);
        health.sample();
      }
    },
    cameraCheck: () => health.evaluate().checks.find((check) => check.camera === 'gate'),
    advance: (ms) => {
      now += ms;
    },
  };
}

const streaming = (camera: Rig['camera']): void => {
  camera.state = 'streaming';
  camera.frames += 5;
  camera.processed += 5;
};

describe('health', () => {
  it('is live and ready while the camera streams and perception keeps up', () => {
    const { health, step } = rig();
    step(3000, streaming);
    const report = health.evaluate();
    assert.deepEqual(report, {
      live: true,
      ready: true,
      checks: [{ name: 'event-loop', verdict: 'ok' }, { name: 'store', verdict: 'ok' }, { name: 'detector', verdict: 'ok' }, { name: 'camera', camera: 'gate', verdict: 'ok' }],
    });
    assert.equal(summarize(report), 'ready: 1 camera streaming');
  });

  it('judges frames that came after the last timer sample: a camera that just connected is streaming, not silent', () => {
    const { step, advance, cameraCheck, camera } = rig();
    step(3000);
    advance(900);
    // ffmpeg delivers its first frames in a burst once the stream is set up.
    camera.state = 'streaming';
    camera.frames = 13;
    camera.processed = 13;
    assert.deepEqual(cameraCheck(), { name: 'camera', camera: 'gate', verdict: 'ok' });
  });

  it('judges a camera that stopped delivering: not ready past its stall timeout, wedged once the stall restart is overdue', () => {
    const { health, step, cameraCheck } = rig();
    step(3000, streaming);
    step(3000);
    assert.deepEqual(cameraCheck(), { name: 'camera', camera: 'gate', verdict: 'degraded', detail: 'no frame for 3 s' });
    assert.equal(health.evaluate().live, true);
    step(5000);
    assert.deepEqual(cameraCheck(), { name: 'camera', camera: 'gate', verdict: 'wedged', detail: 'streaming without a frame for 8 s: the stall restart did not happen' });
    const report = health.evaluate();
    assert.equal(report.live, false);
    assert.equal(summarize(report), 'wedged: camera gate streaming without a frame for 8 s: the stall restart did not happen');
  });

  it('keeps a camera that is down but being retried live, and calls it wedged when the retries stop', () => {
    const { health, step, cameraCheck } = rig();
    step(2000, streaming);
    step(30_000, (camera) => {
      camera.state = 'refused';
      camera.reconnects += 1;
    });
    assert.deepEqual(cameraCheck(), { name: 'camera', camera: 'gate', verdict: 'degraded', detail: 'refused: reconnecting' });
    assert.deepEqual({ live: health.evaluate().live, ready: health.evaluate().ready }, { live: true, ready: false });
    assert.equal(summarize(health.evaluate()), 'degraded: camera gate refused: reconnecting');
    // The bound: the 15 s start-up allowance of one attempt + the 1 s maximum backoff + 5 s to act.
    step(21_000);
    assert.equal(cameraCheck()?.verdict, 'degraded');
    step(1000);
    assert.deepEqual(cameraCheck(), { name: 'camera', camera: 'gate', verdict: 'wedged', detail: 'refused and no reconnect attempt for 22 s' });
  });

  it('calls perception wedged when frames arrive but none is processed, unless the camera runs without a detector', () => {
    const { step, cameraCheck, camera } = rig();
    step(2000, streaming);
    const framesOnly = (probe: Rig['camera']): void => {
      probe.frames += 5;
    };
    step(30_000, framesOnly);
    assert.equal(cameraCheck()?.verdict, 'ok');
    step(1000, framesOnly);
    assert.deepEqual(cameraCheck(), { name: 'camera', camera: 'gate', verdict: 'wedged', detail: 'frames arrive but perception finished none for 31 s' });
    camera.degraded = true;
    assert.equal(cameraCheck()?.verdict, 'ok');
  });

  it('calls the store wedged when its write lock cannot be taken, degraded when the disk is full', () => {
    let failure: Error | undefined = new Error('database is locked');
    let full = false;
    const { health, step } = rig({
      probeStore: () => {
        if (failure !== undefined) throw failure;
      },
      storeFull: () => full,
    });
    step(2000, streaming);
    assert.deepEqual(health.evaluate().checks[1], { name: 'store', verdict: 'wedged', detail: 'not writable: database is locked' });
    assert.equal(summarize(health.evaluate()), 'wedged: store not writable: database is locked');
    failure = undefined;
    full = true;
    assert.deepEqual(health.evaluate().checks[1], { name: 'store', verdict: 'degraded', detail: 'full (disk or storage quota)' });
    assert.deepEqual({ live: health.evaluate().live, ready: health.evaluate().ready }, { live: true, ready: false });
  });

  it('is not ready without the detector, or before the runtime runs, yet live', () => {
    let phase: 'starting' | 'running' | 'stopping' = 'starting';
    let detector: boolean | undefined = false;
    const { health, step } = rig({ phase: () => phase, detectorReady: () => detector });
    step(2000, streaming);
    assert.deepEqual(health.evaluate().checks[2], { name: 'detector', verdict: 'degraded', detail: 'model not loaded: no rule is evaluated' });
    detector = true;
    assert.deepEqual({ live: health.evaluate().live, ready: health.evaluate().ready }, { live: true, ready: false });
    assert.equal(summarize(health.evaluate()), 'starting');
    phase = 'running';
    assert.equal(health.evaluate().ready, true);
    detector = undefined;
    assert.deepEqual(health.evaluate().checks.map((check) => check.name), ['event-loop', 'store', 'camera']);
  });

  it('measures the event loop: a loop blocked for long is wedged, a calm one is fine again', async () => {
    const health = new Health(
      { cameras: () => [], probeStore: () => undefined, storeFull: () => false, detectorReady: () => undefined, phase: () => 'running' },
      { lagWindowMs: 300, maxLagMs: 150 },
    );
    health.start();
    try {
      const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
      await pause(50);
      for (const end = Date.now() + 700; Date.now() < end;) {
        // Busy: the loop cannot run a timer.
      }
      await pause(320);
      const blocked = health.evaluate().checks[0];
      assert.equal(blocked?.verdict, 'wedged');
      assert.match(blocked.detail ?? '', /^delay p99 \d+ ms over the last 0\.3 s \(limit 150 ms\)$/);
      await pause(700);
      assert.deepEqual(health.evaluate().checks[0], { name: 'event-loop', verdict: 'ok' });
    } finally {
      health.stop();
    }
  });
});
