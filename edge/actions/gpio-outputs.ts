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

/** A relay that is on: who holds it (an alert id, the emergency button) and until when, and its maxOnSeconds timer. */
interface HeldRelay {
  readonly holders: Map<string, { readonly until: number; readonly timer: NodeJS.Timeout }>;
  readonly cap: NodeJS.Timeout;
}

/**
 * The amplifier enable line and the relay outputs (sirens, strobes). The amplifier warms up before the first clip and
 * is held after the last one. A relay is on while anyone holds it, so a siren shared by two alerts sounds until the
 * last of them lets go; it never stays on longer than its maxOnSeconds, whoever asked for it.
 */
export class GpioOutputs implements AmplifierControl {
  readonly #options: GpioOutputsOptions;
  readonly #lines = new Map<string, OutputLine>();
  readonly #active = new Map<string, boolean>();
  readonly #relays = new Map<string, HeldRelay>();
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
    for (const relay of this.#relays.values()) clearRelay(relay);
    this.#relays.clear();
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

  /**
   * `holder` holds the relay on for `seconds` (capped by its maxOnSeconds); the first holder switches it on. Holding
   * again extends, never shortens, that holder's time.
   */
  relayOn(id: string, seconds: number, holder: string): void {
    const output = this.#options.config.outputs.find((candidate) => candidate.id === id);
    if (output === undefined) return;
    let relay = this.#relays.get(id);
    if (relay === undefined) {
      relay = { holders: new Map(), cap: setTimeout(() => { this.#switchOff(id, 'time-up'); }, output.maxOnSeconds * 1000) };
      this.#relays.set(id, relay);
      this.#write(id, true, 'siren');
    }
    const ms = Math.min(seconds, output.maxOnSeconds) * 1000;
    const until = performance.now() + ms;
    const held = relay.holders.get(holder);
    if (held !== undefined && held.until >= until) return;
    clearTimeout(held?.timer);
    relay.holders.set(holder, { until, timer: setTimeout(() => { this.#release(id, holder, 'time-up'); }, ms) });
  }

  /** `holder` lets the relay go; it switches off when nobody else holds it. */
  relayOff(id: string, holder: string): void {
    this.#release(id, holder, 'release');
  }

  isActive(id: string): boolean {
    return this.#active.get(id) === true;
  }

  #release(id: string, holder: string, reason: LineEvent['reason']): void {
    const relay = this.#relays.get(id);
    const held = relay?.holders.get(holder);
    if (relay === undefined || held === undefined) return;
    clearTimeout(held.timer);
    relay.holders.delete(holder);
    if (relay.holders.size === 0) this.#switchOff(id, reason);
  }

  #switchOff(id: string, reason: LineEvent['reason']): void {
    const relay = this.#relays.get(id);
    if (relay === undefined) return;
    clearRelay(relay);
    this.#relays.delete(id);
    this.#write(id, false, reason);
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

function clearRelay(relay: HeldRelay): void {
  clearTimeout(relay.cap);
  for (const { timer } of relay.holders.values()) clearTimeout(timer);
}
