/** The words a rule is written in; the config spells them, the rules, alerts and metrics use them. */
export const RULE_TYPES = ['intrusion', 'dwell', 'return', 'line-cross', 'crowd', 'object', 'parking', 'vendor', 'absence', 'watchlist', 'minor-venue'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

/**
 * The rules a camera that decodes only its key frames may carry (`cameras[].input.decode: keyframes`): they judge
 * whether something is there over many seconds, and the tracker keeps stationary objects across the gaps between key
 * frames. Entries, crossings and returns are decided on the first frames something is inside, a dwell follows one
 * track second by second, and faces need the frames in which they are clear: those need every frame.
 */
export const KEYFRAME_RULE_TYPES: readonly string[] = ['crowd', 'parking', 'vendor', 'absence'];

/** Ordered from least to most urgent; voice warnings pre-empt by this order. */
export const SEVERITIES = ['info', 'warning', 'critical', 'emergency'] as const;
export type Severity = (typeof SEVERITIES)[number];
