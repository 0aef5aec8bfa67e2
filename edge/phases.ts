import { moduleLogger } from './log.js';

/**
 * One named step of start-up and its undo. `stop` also runs for the phase whose `start` failed or was interrupted,
 * so it must accept a partial start. A long `start` (model loading, voice pre-rendering) checks the signal itself.
 */
export interface Phase {
  readonly name: string;
  start(signal: AbortSignal): Promise<void> | void;
  stop(): Promise<void> | void;
}

export interface StopReport {
  /** Phases stopped, in the order they were stopped (the reverse of start-up). */
  readonly stopped: readonly string[];
  /** Phases whose stop failed, by name; empty when the shutdown was clean. */
  readonly failed: readonly string[];
}

export type StartOutcome =
  | { readonly kind: 'started' }
  /** The signal aborted start-up; what had started is stopped again. */
  | { readonly kind: 'aborted'; readonly phase: string; readonly undo: StopReport }
  /** A phase threw; what had started is stopped again and the error is the phase's. */
  | { readonly kind: 'failed'; readonly phase: string; readonly error: unknown; readonly undo: StopReport };

const log = moduleLogger('phases');

/**
 * Start-up as a list of named phases, each with its stop: started in order, the signal checked before each one, and
 * on a failure or an abort everything started so far is stopped in reverse. `stop()` is the shutdown: the same
 * reverse order, continuing past a failed phase and reporting it.
 */
export class Phases {
  readonly #started: Phase[] = [];

  async start(phases: readonly Phase[], signal: AbortSignal): Promise<StartOutcome> {
    for (const phase of phases) {
      try {
        signal.throwIfAborted();
        this.#started.push(phase);
        const begun = Date.now();
        log.debug({ phase: phase.name }, 'starting phase');
        await phase.start(signal);
        log.debug({ phase: phase.name, ms: Date.now() - begun }, 'phase started');
      } catch (error) {
        if (signal.aborted && error === signal.reason) {
          log.info({ phase: phase.name }, 'start-up interrupted; stopping the phases already started');
          return { kind: 'aborted', phase: phase.name, undo: await this.stop() };
        }
        log.error({ err: error, phase: phase.name }, 'start-up failed; stopping the phases already started');
        return { kind: 'failed', phase: phase.name, error, undo: await this.stop() };
      }
    }
    return { kind: 'started' };
  }

  async stop(): Promise<StopReport> {
    const stopped: string[] = [];
    const failed: string[] = [];
    for (let phase = this.#started.pop(); phase !== undefined; phase = this.#started.pop()) {
      try {
        await phase.stop();
        log.debug({ phase: phase.name }, 'phase stopped');
      } catch (error) {
        failed.push(phase.name);
        log.error({ err: error, phase: phase.name }, 'shutdown phase failed');
      }
      stopped.push(phase.name);
    }
    return { stopped, failed };
  }
}
