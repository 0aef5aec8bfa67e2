/** The words a rule is written in; the config spells them, the rules, alerts and metrics use them. */
export const RULE_TYPES = ['intrusion', 'dwell', 'return', 'line-cross', 'crowd', 'object', 'parking', 'vendor', 'absence', 'watchlist', 'minor-venue'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

/** Ordered from least to most urgent; voice warnings pre-empt by this order. */
export const SEVERITIES = ['info', 'warning', 'critical', 'emergency'] as const;
export type Severity = (typeof SEVERITIES)[number];
