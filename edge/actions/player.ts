import type { Priority } from '../config/actions.js';
import { moduleLogger } from '../log.js';
import { describeExit, startTool, succeeded, type RunningTool } from '../process/tool.js';
import { Listeners } from './listeners.js';

const RANK: Readonly<Record<Priority, number>> = { normal: 0, high: 1, emergency: 2 };

export interface PlayRequest {
  readonly alertId: string;
  /** What is heard, for logs and the demo's "warning played" line. */
  readonly text: string;
  /** The text may say a person's name or class: it is never logged (names stay in the gallery). */
  readonly personal?: boolean;
  /** The message clip (the observable "what was played"). */
  readonly wavPath: string;
  /** A chime played right before the message by the same aplay, so nothing can slip in between. */
  readonly chimePath?: string;
  readonly priority: Priority;
}

export type PlaybackOutcome = 'completed' | 'preempted' | 'cancelled' | 'failed';

/** `startedAt` is when aplay reported "Playing WAVE": the device is open and the first file's header parsed. */
export type PlaybackEvent =
  | { readonly kind: 'start'; readonly request: PlayRequest; readonly requestedAt: number; readonly spawnedAt: number; readonly startedAt: number }
  | { readonly kind: 'end'; readonly request: PlayRequest; readonly requestedAt: number; readonly startedAt?: number; readonly endedAt: number; readonly outcome: PlaybackOutcome; readonly error?: string }
  | { readonly kind: 'dropped'; readonly request: PlayRequest; readonly reason: 'queue-full' };

/** What the player needs from the speaker amplifier; without GPIO it is a no-op. */
export interface AmplifierControl {
  /** Switches on (if off) and resolves once the amplifier has warmed up. */
  on(): Promise<void>;
  /** The last clip ended: switch off after the hold time unless `on()` comes again. */
  off(): void;
}

export interface PlayerOptions {
  readonly device: string;
  readonly queueSize: number;
  readonly amplifier: AmplifierControl;
  readonly aplay?: string;
}

interface Queued {
  readonly request: PlayRequest;
  readonly requestedAt: number;
}

interface Current extends Queued {
  readonly aplay: RunningTool;
  outcome?: PlaybackOutcome;
}

const log = moduleLogger('player');

/**
 * Plays one clip at a time through `aplay -D <device>`. Requests wait in a bounded queue ordered by priority, then age;
 * a request of higher priority than the clip playing kills it (the interrupted warning is not resumed: its next repeat
 * comes anyway). The amplifier is switched on before the first clip and released after the queue empties.
 */
export class Player {
  readonly #options: PlayerOptions;
  readonly #listeners = new Listeners<PlaybackEvent>();
  readonly #queue: Queued[] = [];
  #current: Current | undefined;
  #draining: Promise<void> | undefined;
  #running = false;
  #aplayMissing = false;

  constructor(options: PlayerOptions) {
    this.#options = options;
  }

  onPlayback(listener: (event: PlaybackEvent) => void): () => void {
    return this.#listeners.add(listener);
  }

  start(): void {
    this.#running = true;
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#queue.length = 0;
    this.#kill('cancelled');
    await this.#draining;
  }

  play(request: PlayRequest): void {
    if (!this.#running) return;
    const entry = { request, requestedAt: Date.now() };
    const at = this.#queue.findIndex((queued) => RANK[queued.request.priority] < RANK[request.priority]);
    this.#queue.splice(at === -1 ? this.#queue.length : at, 0, entry);
    if (this.#queue.length > this.#options.queueSize) {
      // Of the least urgent warnings the oldest is the most likely to be stale; its alert repeats it if it still holds.
      const lowest = this.#queue[this.#queue.length - 1];
      const rank = lowest === undefined ? 0 : RANK[lowest.request.priority];
      const oldestLowest = this.#queue.findIndex((queued) => RANK[queued.request.priority] === rank);
      const [dropped] = this.#queue.splice(oldestLowest === -1 ? this.#queue.length - 1 : oldestLowest, 1);
      if (dropped !== undefined) {
        log.warn({ alert: dropped.request.alertId, priority: dropped.request.priority }, 'voice queue full; dropped a warning');
        this.#listeners.emit({ kind: 'dropped', request: dropped.request, reason: 'queue-full' });
      }
    }
    const current = this.#current;
    if (current !== undefined && RANK[request.priority] > RANK[current.request.priority]) this.#kill('preempted');
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
  }

  /** Drops queued clips of the alert and stops its clip if it is playing (the alert was acknowledged or cleared). */
  cancel(alertId: string): void {
    for (let index = this.#queue.length - 1; index >= 0; index--) {
      if (this.#queue[index]?.request.alertId === alertId) this.#queue.splice(index, 1);
    }
    if (this.#current?.request.alertId === alertId) this.#kill('cancelled');
  }

  get busy(): boolean {
    return this.#current !== undefined || this.#queue.length > 0;
  }

  #kill(outcome: PlaybackOutcome): void {
    const current = this.#current;
    if (current === undefined || current.outcome !== undefined) return;
    current.outcome = outcome;
    void current.aplay.stop();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        await this.#options.amplifier.on();
        // Taken after the warm-up, so a more urgent request that arrived meanwhile goes first.
        const next = this.#queue.shift();
        if (next === undefined || !this.#running) break;
        await this.#playOne(next);
      }
    } finally {
      this.#options.amplifier.off();
    }
  }

  async #playOne(entry: Queued): Promise<void> {
    const { request } = entry;
    const files = request.chimePath === undefined ? [request.wavPath] : [request.chimePath, request.wavPath];
    const spawnedAt = Date.now();
    let startedAt: number | undefined;
    const aplay = startTool({
      command: this.#options.aplay ?? 'aplay',
      args: ['-D', this.#options.device, ...files],
      errorCode: 'AUDIO_TOOL_MISSING',
      aptPackage: 'alsa-utils',
      purpose: 'voice warnings',
      onStderrLine: (line) => {
        if (startedAt !== undefined || !line.startsWith('Playing ')) return;
        startedAt = Date.now();
        this.#listeners.emit({ kind: 'start', request, requestedAt: entry.requestedAt, spawnedAt, startedAt });
        log.info({ alert: request.alertId, ...(request.personal === true ? {} : { text: request.text }), wav: request.wavPath, priority: request.priority }, 'warning playing');
      },
    });
    const current: Current = { ...entry, aplay };
    this.#current = current;
    const exit = await aplay.exited;
    this.#current = undefined;
    let failure: string | undefined;
    if (exit.kind === 'spawn-error') {
      failure = exit.error.message;
      if (!this.#aplayMissing) {
        this.#aplayMissing = true;
        log.warn({ err: exit.error }, 'voice warnings cannot be heard');
      }
    } else if (current.outcome === undefined && !succeeded(exit)) {
      const said = exit.stderr.filter((line) => !line.startsWith('Playing '));
      failure = `aplay ${describeExit(exit)}: ${said.slice(-2).join(' | ')}`;
    }
    const outcome: PlaybackOutcome = current.outcome ?? (failure === undefined ? 'completed' : 'failed');
    if (outcome === 'failed' && !this.#aplayMissing) log.warn({ alert: request.alertId, device: this.#options.device, reason: failure }, 'playback failed');
    this.#listeners.emit({ kind: 'end', request, requestedAt: entry.requestedAt, ...(startedAt === undefined ? {} : { startedAt }), endedAt: Date.now(), outcome, ...(failure === undefined ? {} : { error: failure }) });
  }
}
