import type { GpioConfig, GpioLineConfig } from '../config/actions.js';
import { moduleLogger } from '../log.js';
import { describeLine, openSysfsInput, type InputLine } from './gpio-sysfs.js';
import { Listeners } from './listeners.js';

type ButtonConfig = NonNullable<GpioConfig['emergencyButton']>;

export interface ButtonPress {
  /** Wall-clock ms of the first edge of the press (before debouncing), the moment the guard pressed. */
  readonly edgeAt: number;
  /** When the press was confirmed stable and listeners were called. */
  readonly confirmedAt: number;
  /** Cameras whose snapshots go with the emergency alert. */
  readonly cameras: readonly string[];
}

export interface EmergencyButtonOptions {
  readonly config: ButtonConfig;
  readonly openInput?: (line: GpioLineConfig, activeLow: boolean) => Promise<InputLine>;
}

const log = moduleLogger('emergency-button');

/**
 * The guard-room button. Both edges are watched; a level counts once it held for debounceMs, so contact bounce and
 * cable noise do not raise alarms, while the press is still timed at its first edge. Holding the button raises once.
 */
export class EmergencyButton {
  readonly #options: EmergencyButtonOptions;
  readonly #listeners = new Listeners<ButtonPress>();
  #input: InputLine | undefined;
  #pressed = false;
  #edgeAt: number | undefined;
  #settle: NodeJS.Timeout | undefined;

  constructor(options: EmergencyButtonOptions) {
    this.#options = options;
  }

  onPress(listener: (press: ButtonPress) => void): () => void {
    return this.#listeners.add(listener);
  }

  async start(): Promise<void> {
    const { config } = this.#options;
    const open = this.#options.openInput ?? openSysfsInput;
    this.#input = await open(config.line, config.activeLow);
    this.#pressed = this.#input.read();
    if (this.#pressed) log.warn({ line: describeLine(config.line) }, 'the emergency button reads pressed at start; check activeLow and the wiring');
    this.#input.watch(() => {
      this.#changed();
    }, config.pollMs);
    log.info({ line: describeLine(config.line), activeLow: config.activeLow, debounceMs: config.debounceMs }, 'emergency button ready');
  }

  stop(): void {
    clearTimeout(this.#settle);
    this.#input?.close();
    this.#input = undefined;
  }

  #changed(): void {
    this.#edgeAt ??= Date.now();
    clearTimeout(this.#settle);
    if (this.#options.config.debounceMs === 0) this.#confirm();
    else
      this.#settle = setTimeout(() => {
        this.#confirm();
      }, this.#options.config.debounceMs);
  }

  #confirm(): void {
    const input = this.#input;
    const edgeAt = this.#edgeAt ?? Date.now();
    this.#edgeAt = undefined;
    if (input === undefined) return;
    const pressed = input.read();
    if (pressed === this.#pressed) return;
    this.#pressed = pressed;
    if (!pressed) return;
    const press: ButtonPress = { edgeAt, confirmedAt: Date.now(), cameras: this.#options.config.cameras };
    log.warn({ edgeAt, confirmedAt: press.confirmedAt }, 'emergency button pressed');
    this.#listeners.emit(press);
  }
}
