import { redactText } from './camera-url.js';

/** Why a stream failed, as far as ffmpeg's own words tell. */
export type StreamFault = 'unauthorized' | 'not-found' | 'refused' | 'timeout' | 'unreachable' | 'unsupported-codec' | 'error';

export interface ClassifiedLine {
  readonly fault: StreamFault;
  /** The line with URL credentials redacted, fit for logs and camera status. */
  readonly text: string;
}

/**
 * First match wins: the specific causes are tested before the generic "error" patterns, and "Decoder (codec x) not
 * found" is an unsupported codec, so that rule comes before the 404 one.
 */
const RULES: readonly { readonly fault: Exclude<StreamFault, 'error'>; readonly pattern: RegExp }[] = [
  { fault: 'unauthorized', pattern: /\b401\b|unauthorized|authorization failed|\b403\b|forbidden/i },
  { fault: 'refused', pattern: /connection refused/i },
  { fault: 'timeout', pattern: /timed out/i },
  { fault: 'unreachable', pattern: /failed to resolve hostname|name or service not known|network is unreachable|no route to host|host is unreachable/i },
  {
    fault: 'unsupported-codec',
    pattern: /decoder \(codec [^)]*\) not found|unsupported codec|codec not currently supported|could not find codec parameters|no decoder for|unknown codec/i,
  },
  { fault: 'not-found', pattern: /\b404\b|not found|\b454\b/i },
];

const GENERIC = /error|failed|invalid|cannot|could not|unable|refused|end of file|i\/o/i;

/**
 * Classifies one ffmpeg stderr line (ffmpeg runs with -loglevel error, so most lines matter). Returns undefined for
 * lines that say nothing about the stream's health.
 */
export function classifyStderrLine(line: string): ClassifiedLine | undefined {
  const trimmed = line.trim();
  if (trimmed === '') return undefined;
  const text = redactText(trimmed);
  for (const rule of RULES) {
    if (rule.pattern.test(trimmed)) return { fault: rule.fault, text };
  }
  return GENERIC.test(trimmed) ? { fault: 'error', text } : undefined;
}

/**
 * The fault that best explains a failed run: the most specific one seen (any cause beats the generic "error"),
 * keeping the first line of that cause as the detail.
 */
export function worstFault(lines: readonly ClassifiedLine[]): ClassifiedLine | undefined {
  return lines.find((line) => line.fault !== 'error') ?? lines[0];
}
