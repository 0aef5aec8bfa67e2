import { setTimeout as sleep } from 'node:timers/promises';
import type { GpioConfig, GpioLineConfig } from '../config/actions.js';
import { moduleLogger } from '../log.js';
import { describeLine, openSysfsOutput, type OutputLine } from './gpio-sysfs.js';
import { Listeners } from './listeners.js';
import type { AmplifierControl } from './player.js';

export const AMPLIFIER = 'amplifier';

/** Every switch of an output, for logs, the demo and tests: `at` is taken right after the line was written. */
export interface LineEvent {
  readonly output: string;
  readonly active: boolean;
  readonly at: number;
  readonly reason: 'play' | 'release' | 'siren' | 'time-up' | 'stop' | 'test';
}

export interface GpioOutputsOptions {
  readonly config: GpioConfig;
  /** False where the box has no usable GPIO: outputs are then only logged. */
  readonly hardware: boolean;
  readonly openOutput?: (line: GpioLineConfig, activeLow: boolean) => Promise<OutputLine>;
}

const log = moduleLogger('gpio-outputs');

/**
 * The amplifier enable line and the relay outputs (sirens, strobes). The amplifier warms up before the first clip and
 * is held after the last one; a relay never stays on longer than its maxOnSeconds, whoever asked for it.
 */
export class GpioOutputs implements AmplifierControl {
  readonly #options: GpioOutputsOptions;
  readonly #lines = new Map<string, OutputLine>();
  readonly #active = new Map<string, boolean>();
  readonly #relayTimers = new Map<string, NodeJS.Timeout>();
  readonly #listeners = new Listeners<LineEvent>();
  #warming: Promise<void> | undefined;
  #releaseTimer: NodeJS.Timeout | undefined;

  constructor(options: GpioOutputsOptions) {
    this.#options = options;
  }

  onLine(listener: (event: LineEvent) => void): () => void {
    return this.#listeners.add(listener);
  }

  /** Opens every configured line; a line that fails is reported and left out, the others work. */
  async start(): Promise<void> {
    if (!this.#options.hardware) return;
    const open = this.#options.openOutput ?? openSysfsOutput;
    const { amplifier, outputs } = this.#options.config;
    const wanted = [...(amplifier === undefined ? [] : [{ id: AMPLIFIER, ...amplifier }]), ...outputs];
    for (const output of wanted) {
      try {
        this.#lines.set(output.id, await open(output.line, output.activeLow));
        log.info({ output: output.id, line: describeLine(output.line), activeLow: output.activeLow }, 'output ready');
      } catch (error) {
        log.error({ output: output.id, line: describeLine(output.line), err: error }, 'cannot open output; it stays off');
      }
    }
  }

  stop(): void {
    clearTimeout(this.#releaseTimer);
    for (const timer of this.#relayTimers.values()) clearTimeout(timer);
    this.#relayTimers.clear();
    for (const [id, line] of this.#lines) {
      if (this.#active.get(id) === true) this.#emit(id, false, 'stop');
      try {
        line.close();
      } catch (error) {
        log.warn({ output: id, err: error }, 'cannot release output');
      }
    }
    this.#lines.clear();
    this.#active.clear();
  }

  on(): Promise<void> {
    clearTimeout(this.#releaseTimer);
    this.#releaseTimer = undefined;
    const amplifier = this.#options.config.amplifier;
    if (amplifier === undefined || this.#active.get(AMPLIFIER) === true) return this.#warming ?? Promise.resolve();
    this.#write(AMPLIFIER, true, 'play');
    this.#warming = sleep(amplifier.warmUpMs).then(() => {
      this.#warming = undefined;
    });
    return this.#warming;
  }

  off(): void {
    const amplifier = this.#options.config.amplifier;
    if (amplifier === undefined || this.#active.get(AMPLIFIER) !== true) return;
    clearTimeout(this.#releaseTimer);
    this.#releaseTimer = setTimeout(() => {
      this.#releaseTimer = undefined;
      this.#write(AMPLIFIER, false, 'release');
    }, amplifier.releaseMs);
  }

  /** Switches a relay on for `seconds` (capped by its maxOnSeconds); a second call extends it. */
  relayOn(id: string, seconds: number): void {
    const output = this.#options.config.outputs.find((candidate) => candidate.id === id);
    if (output === undefined) return;
    clearTimeout(this.#relayTimers.get(id));
    if (this.#active.get(id) !== true) this.#write(id, true, 'siren');
    const capped = Math.min(seconds, output.maxOnSeconds);
    this.#relayTimers.set(
      id,
      setTimeout(() => {
        this.#relayTimers.delete(id);
        this.#write(id, false, 'time-up');
      }, capped * 1000),
    );
  }

  relayOff(id: string): void {
    clearTimeout(this.#relayTimers.get(id));
    this.#relayTimers.delete(id);
    if (this.#active.get(id) === true) this.#write(id, false, 'release');
  }

  isActive(id: string): boolean {
    return this.#active.get(id) === true;
  }

  #write(id: string, active: boolean, reason: LineEvent['reason']): void {
    const line = this.#lines.get(id);
    try {
      line?.set(active);
    } catch (error) {
      log.error({ output: id, active, err: error }, 'cannot switch output');
    }
    this.#active.set(id, active);
    this.#emit(id, active, reason);
  }

  #emit(id: string, active: boolean, reason: LineEvent['reason']): void {
    if (!active) this.#active.set(id, false);
    this.#listeners.emit({ output: id, active, at: Date.now(), reason });
    log.debug({ output: id, active, reason, hardware: this.#lines.has(id) }, 'output switched');
  }
}
