import type { ActionConfig, AudioConfig, GpioConfig } from '../config/actions.js';
import { HuxiaoError } from '../errors.js';
import { moduleLogger } from '../log.js';
import { AudioCache } from './audio-cache.js';
import { ClipRenderer } from './clip-renderer.js';
import { EmergencyButton, type ButtonPress } from './emergency-button.js';
import { GpioOutputs, type LineEvent } from './gpio-outputs.js';
import { selectGpioBackend, type GpioBackend } from './gpio-backend.js';
import type { GpiodOptions } from './gpio-chardev.js';
import { Player, type PlaybackEvent, type PlaybackOutcome } from './player.js';
import { isFixed } from './template.js';
import { Listeners } from './listeners.js';
import { NameClips } from './name-clips.js';
import { nameClipsDir } from './person-voice.js';
import { WarningService, type ActionEvent } from './warnings.js';

export interface ActionsOptions {
  readonly audio: AudioConfig;
  readonly actions: readonly ActionConfig[];
  readonly gpio: GpioConfig;
  /** The speaker test needs no button; the runtime does. */
  readonly withButton?: boolean;
  readonly aplay?: string;
  /** Where the gpiod fallback finds its tools and gpiochip devices; by default PATH and /dev. */
  readonly gpiod?: GpiodOptions;
}

export interface SpeakerTestResult {
  readonly text: string;
  readonly wavPath: string;
  readonly chimePath: string | null;
  readonly device: string;
  readonly amplifier: 'gpio' | 'no-gpio' | 'none';
  readonly outcome: PlaybackOutcome;
  readonly renderMs: number;
  readonly playMs: number;
  readonly error?: string;
}

export const SPEAKER_TEST_TEXT = '护校系统喇叭测试，请确认能听清这段话。';
const log = moduleLogger('actions');

interface Parts {
  readonly renderer: ClipRenderer;
  readonly outputs: GpioOutputs;
  readonly player: Player;
  readonly warnings: WarningService;
  readonly button: EmergencyButton | undefined;
  readonly chimePath: string | undefined;
}

/**
 * On-site actions in one component: voice warnings (render, cache, play), GPIO outputs (amplifier, sirens) and the
 * emergency button. Missing GPIO or audio tools are warned about once and never stop the rest of the runtime.
 */
export class Actions {
  readonly #options: ActionsOptions;
  readonly #playback = new Listeners<PlaybackEvent>();
  readonly #lines = new Listeners<LineEvent>();
  readonly #presses = new Listeners<ButtonPress>();
  #parts: Parts | undefined;
  #backend: GpioBackend | undefined;
  #actions: readonly ActionConfig[];

  constructor(options: ActionsOptions) {
    this.#options = options;
    this.#actions = options.actions;
  }

  onPlayback(listener: (event: PlaybackEvent) => void): () => void {
    return this.#playback.add(listener);
  }

  onOutput(listener: (event: LineEvent) => void): () => void {
    return this.#lines.add(listener);
  }

  /** The emergency button, timed at its edge; the controller raises the alert. The button's siren already sounds by then. */
  onPress(listener: (press: ButtonPress) => void): () => void {
    return this.#presses.add(listener);
  }

  /** Pre-rendering the voices can take a while on a first start; an abort of `signal` stops it before GPIO is opened. */
  async start(signal?: AbortSignal): Promise<void> {
    const { audio, gpio } = this.#options;
    const actions = this.#actions;
    const cache = new AudioCache(audio.cache);
    await cache.start();
    const renderer = new ClipRenderer(cache, { voice: audio.voice, wordsPerMinute: audio.wordsPerMinute }, new NameClips(nameClipsDir(audio)));
    await this.#prepareVoices(renderer, actions, signal);
    signal?.throwIfAborted();
    const chimePath = await this.#prepareChime(renderer, audio);
    const wantsGpio = gpio.amplifier !== undefined || gpio.outputs.length > 0 || gpio.emergencyButton !== undefined;
    const backend = wantsGpio ? await selectGpioBackend(this.#options.gpiod) : undefined;
    this.#backend = backend;
    const outputs = new GpioOutputs({ config: gpio, hardware: backend !== undefined, ...(backend === undefined ? {} : { openOutput: backend.openOutput }) });
    outputs.onLine((event) => {
      this.#lines.emit(event);
    });
    await outputs.start();
    const player = new Player({ device: audio.device, queueSize: audio.queueSize, amplifier: outputs, ...(this.#options.aplay === undefined ? {} : { aplay: this.#options.aplay }) });
    player.onPlayback((event) => {
      this.#playback.emit(event);
    });
    player.start();
    const warnings = new WarningService({ actions, renderer, player, outputs, ...(chimePath === undefined ? {} : { chimePath }) });
    warnings.start();
    const button = gpio.emergencyButton !== undefined && this.#options.withButton !== false && backend !== undefined ? new EmergencyButton({ config: gpio.emergencyButton, openInput: backend.openInput }) : undefined;
    this.#parts = { renderer, outputs, player, warnings, button, chimePath };
    if (button === undefined) return;
    button.onPress((press) => {
      // The siren first and directly, so it sounds even if raising the alert in the store fails.
      this.#sirenForButton(outputs);
      this.#presses.emit(press);
    });
    try {
      await button.start();
    } catch (error) {
      log.error({ err: error }, 'the emergency button cannot be read; it is disabled');
    }
  }

  async stop(): Promise<void> {
    const parts = this.#parts;
    this.#parts = undefined;
    if (parts === undefined) return;
    parts.button?.stop();
    parts.warnings.stop();
    await parts.player.stop();
    parts.outputs.stop();
  }

  /**
   * The actions of a reloaded config: warnings raised from now on use them, and their fixed sentences and clips are
   * rendered now, before an alert needs them. Sirens still switch the outputs of the gpio section the gateway started with.
   */
  async updateActions(actions: readonly ActionConfig[]): Promise<void> {
    this.#actions = actions;
    const parts = this.#parts;
    if (parts === undefined) return;
    parts.warnings.setActions(actions);
    await this.#prepareVoices(parts.renderer, actions);
  }

  /** Alert events from the controller; ignored before start and after stop. */
  handle(event: ActionEvent): void {
    this.#parts?.warnings.handle(event);
  }

  /** Plays a test message through the whole chain (amplifier, chime, message) and reports what happened. */
  async speakerTest(text: string = SPEAKER_TEST_TEXT): Promise<SpeakerTestResult> {
    const parts = this.#parts;
    if (parts === undefined) throw new HuxiaoError('AUDIO_RENDER', 'the speaker test needs the actions started');
    const { renderer, player, chimePath } = parts;
    const renderStart = Date.now();
    const wavPath = await renderer.speech(text);
    const renderMs = Date.now() - renderStart;
    const alertId = `speaker-test-${String(renderStart)}`;
    const ended = new Promise<Extract<PlaybackEvent, { kind: 'end' }>>((resolve) => {
      const unsubscribe = player.onPlayback((event) => {
        if (event.kind === 'end' && event.request.alertId === alertId) {
          unsubscribe();
          resolve(event);
        }
      });
    });
    player.play({ alertId, text, wavPath, priority: 'high', ...(chimePath === undefined ? {} : { chimePath }) });
    const end = await ended;
    return {
      text,
      wavPath,
      chimePath: chimePath ?? null,
      device: this.#options.audio.device,
      amplifier: this.#options.gpio.amplifier === undefined ? 'none' : this.#backend === undefined ? 'no-gpio' : 'gpio',
      outcome: end.outcome,
      renderMs,
      playMs: end.endedAt - (end.startedAt ?? end.requestedAt),
      ...(end.error === undefined ? {} : { error: end.error }),
    };
  }

  /** Operator clips and sentences without placeholders are made ready before the first alert needs them (cached ones are found at once). */
  async #prepareVoices(renderer: ClipRenderer, actions: readonly ActionConfig[], signal?: AbortSignal): Promise<void> {
    const jobs: { what: string; job: () => Promise<string> }[] = [];
    for (const action of actions) {
      if (action.type !== 'voice') continue;
      const { clip, template, fallback } = action;
      if (clip !== undefined) jobs.push({ what: `clip of ${action.id}`, job: () => renderer.recording(clip) });
      for (const text of [template, fallback]) if (text !== undefined && isFixed(text)) jobs.push({ what: `sentence of ${action.id}`, job: () => renderer.speech(text) });
    }
    for (const { what, job } of jobs) {
      signal?.throwIfAborted();
      try {
        await job();
      } catch (error) {
        log.error({ what, err: error }, 'cannot prepare audio; warnings that need it will fail');
      }
    }
  }

  async #prepareChime(renderer: ClipRenderer, audio: AudioConfig): Promise<string | undefined> {
    if (!audio.chime.enabled) return undefined;
    const file = audio.chime.file;
    try {
      return await (file === undefined ? renderer.chime() : renderer.recording(file));
    } catch (error) {
      log.error({ err: error }, 'cannot prepare the chime; warnings play without it');
      return undefined;
    }
  }

  #sirenForButton(outputs: GpioOutputs): void {
    const sirenId = this.#options.gpio.emergencyButton?.siren;
    const siren = this.#actions.find((action) => action.id === sirenId);
    // Held by the button itself: the siren starts before the alert exists, and runs its onSeconds.
    if (siren?.type === 'siren') outputs.relayOn(siren.output, siren.onSeconds, 'emergency-button');
  }
}
