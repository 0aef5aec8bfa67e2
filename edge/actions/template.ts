import type { VoiceActionConfig } from '../config/actions.js';

export interface TemplateValues {
  readonly name?: string | undefined;
  readonly class?: string | undefined;
  readonly zone?: string | undefined;
  readonly camera?: string | undefined;
}

const PLACEHOLDER = /\{(name|class|zone|camera)\}/g;

/** Fills the placeholders; undefined when one of them has no (non-blank) value. */
export function fill(template: string, values: TemplateValues): string | undefined {
  const valueOf = (key: string): string => values[key as keyof TemplateValues]?.trim() ?? '';
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (valueOf(match[1] ?? '') === '') return undefined;
  }
  return template.replace(PLACEHOLDER, (_match, key: string) => valueOf(key));
}

/**
 * The sentence of a voice action for one alert: the template when every placeholder has a value, else the fallback.
 * Undefined for clip actions. The config schema guarantees a fallback wherever an identity placeholder is used.
 */
export function warningText(action: VoiceActionConfig, values: TemplateValues): string | undefined {
  if (action.template === undefined) return undefined;
  return fill(action.template, values) ?? (action.fallback === undefined ? undefined : (fill(action.fallback, values) ?? action.fallback.replace(PLACEHOLDER, '')));
}

/** A template with no placeholders is the same sentence for every alert, so it is rendered at start. */
export function isFixed(text: string): boolean {
  return !new RegExp(PLACEHOLDER.source).test(text);
}
