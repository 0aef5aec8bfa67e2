import type { ActionConfig, Priority, VoiceActionConfig } from '../config/actions.js';
import { moduleLogger } from '../log.js';
import type { Severity } from '../config/rule-vocabulary.js';
import type { ClipRenderer } from './clip-renderer.js';
import type { GpioOutputs } from './gpio-outputs.js';
import type { Player } from './player.js';
import { warningText, type TemplateValues } from './template.js';

export const ALERT_EVENT_KINDS = ['raised', 'updated', 'cleared', 'acknowledged', 'resolved', 'expired'] as const;

/** What the actions need to know about an alert; the controller adapts the alert stage's events to this. */
export interface ActionAlert {
  readonly id: string;
  readonly rule: string;
  readonly type: string;
  readonly severity: Severity;
  readonly camera: string;
  /** The zone as it should be spoken (its name, or its id when it has none). */
  readonly zone?: string;
  readonly trackId?: number;
  readonly identity?: { readonly name?: string; readonly class?: string } | null;
}

export interface ActionEvent {
  readonly kind: (typeof ALERT_EVENT_KINDS)[number];
  readonly alert: ActionAlert;
  /** Action ids of the alert's rule. */
  readonly actions: readonly string[];
}

export interface WarningServiceOptions {
  readonly actions: readonly ActionConfig[];
  readonly renderer: ClipRenderer;
  readonly player: Player;
  readonly outputs: GpioOutputs;
  /** Path of the chime played before each message, when enabled. */
  readonly chimePath?: string;
}

interface Running {
  alert: ActionAlert;
  readonly voices: { readonly action: VoiceActionConfig; played: number; timer?: NodeJS.Timeout }[];
  readonly sirens: readonly string[];
}

const log = moduleLogger('warnings');

function hasNames(alert: ActionAlert): boolean {
  return alert.identity?.name !== undefined || alert.identity?.class !== undefined;
}

export function priorityOf(action: VoiceActionConfig, severity: Severity): Priority {
  if (action.priority !== undefined) return action.priority;
  switch (severity) {
    case 'emergency':
      return 'emergency';
    case 'critical':
      return 'high';
    case 'info':
    case 'warning':
      return 'normal';
  }
}

/**
 * Turns alert events into voice warnings and sirens: a raised alert speaks at once and repeats every repeatSeconds,
 * at most maxRepeats times, while it holds; an update that brings the person's name speaks the named warning at once,
 * cutting into the fallback of the same alert (as the next repeat, so maxRepeats still bounds it), and the repeats
 * after it say the name;
 * cleared, acknowledged, resolved or expired stops its voice and sirens at once.
 */
export class WarningService {
  readonly #options: WarningServiceOptions;
  readonly #running = new Map<string, Running>();
  #actions: readonly ActionConfig[];

  constructor(options: WarningServiceOptions) {
    this.#options = options;
    this.#actions = options.actions;
  }

  /** The action configs of a reloaded config; alerts raised from now on use them, running warnings finish as they are. */
  setActions(actions: readonly ActionConfig[]): void {
    this.#actions = actions;
  }

  start(): void {
    this.#running.clear();
  }

  stop(): void {
    for (const id of [...this.#running.keys()]) this.#end(id);
  }

  handle(event: ActionEvent): void {
    const { alert } = event;
    switch (event.kind) {
      case 'raised':
        if (!this.#running.has(alert.id)) this.#raise(event);
        return;
      case 'updated': {
        const running = this.#running.get(alert.id);
        if (running === undefined) return;
        const named = !hasNames(running.alert) && hasNames(alert);
        running.alert = alert;
        // The child was just identified: the named warning cuts into the fallback as soon as it is rendered, as the
        // next repeat, rather than after it (measured: a 2 s fallback put the name 1.6 s after the hit instead of ~0.8 s).
        if (named) running.voices.forEach((voice, i) => { if (voice.played < voice.action.maxRepeats) this.#speakNow(running, voice, i === 0); });
        return;
      }
      case 'cleared':
      case 'acknowledged':
      case 'resolved':
      case 'expired':
        this.#end(alert.id);
        return;
    }
  }

  get activeAlerts(): number {
    return this.#running.size;
  }

  #raise(event: ActionEvent): void {
    const configured = event.actions.flatMap((id) => {
      const action = this.#actions.find((candidate) => candidate.id === id);
      if (action === undefined) log.warn({ alert: event.alert.id, action: id }, 'the rule names an action that is not configured');
      return action === undefined ? [] : [action];
    });
    const running: Running = {
      alert: event.alert,
      voices: configured.flatMap((action) => (action.type === 'voice' ? [{ action, played: 0 }] : [])),
      sirens: configured.flatMap((action) => (action.type === 'siren' ? [action.output] : [])),
    };
    this.#running.set(event.alert.id, running);
    for (const action of configured) if (action.type === 'siren') this.#options.outputs.relayOn(action.output, action.onSeconds, event.alert.id);
    for (const voice of running.voices) this.#speak(running, voice);
  }

  #speakNow(running: Running, voice: Running['voices'][number], interrupt: boolean): void {
    clearTimeout(voice.timer);
    this.#speak(running, voice, interrupt);
  }

  /** `interrupt`: stop what this alert is saying when the new sentence is ready (never another alert's warning). */
  #speak(running: Running, voice: Running['voices'][number], interrupt = false): void {
    voice.played += 1;
    if (voice.played < voice.action.maxRepeats) {
      voice.timer = setTimeout(() => {
        if (this.#running.get(running.alert.id) === running) this.#speak(running, voice);
      }, voice.action.repeatSeconds * 1000);
    }
    const { alert } = running;
    const values: TemplateValues = { name: alert.identity?.name, class: alert.identity?.class, zone: alert.zone, camera: alert.camera };
    const text = warningText(voice.action, values);
    const clip = text === undefined ? this.#options.renderer.recording(voice.action.clip ?? '') : this.#options.renderer.speech(text);
    clip.then(
      (wavPath) => {
        // The alert may have ended while an uncached sentence was being synthesized.
        if (this.#running.get(alert.id) !== running) return;
        if (interrupt) this.#options.player.cancel(alert.id);
        this.#options.player.play({
          alertId: alert.id,
          text: text ?? `[clip ${voice.action.clip ?? ''}]`,
          personal: hasNames(alert),
          wavPath,
          priority: priorityOf(voice.action, alert.severity),
          ...(this.#options.chimePath === undefined ? {} : { chimePath: this.#options.chimePath }),
        });
      },
      (error: unknown) => {
        log.error({ alert: alert.id, action: voice.action.id, err: error }, 'cannot render the warning; it is not played');
      },
    );
  }

  #end(alertId: string): void {
    const running = this.#running.get(alertId);
    if (running === undefined) return;
    this.#running.delete(alertId);
    for (const voice of running.voices) clearTimeout(voice.timer);
    this.#options.player.cancel(alertId);
    for (const output of running.sirens) this.#options.outputs.relayOff(output, alertId);
  }
}
