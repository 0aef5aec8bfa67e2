import type { RuleConfig } from '../config/rules.js';
import type { ModelRole } from './manifest.js';

/**
 * Rule types whose tracks must be identified by face (the watch-list and minor-in-venue rules of the identity work).
 * None of today's rule types is one, so no gateway loads the face models yet.
 */
const IDENTITY_RULE_TYPES: ReadonlySet<string> = new Set<RuleConfig['type']>();

/**
 * The model roles a config needs: the object detector always, the face detector and embedder only when a rule needs
 * identities. Disabled rules count: a reload may enable them, and it restarts the cameras but not the models.
 */
export function rolesNeeded(config: { readonly rules: readonly Pick<RuleConfig, 'type'>[] }): ModelRole[] {
  const identity = config.rules.some((rule) => IDENTITY_RULE_TYPES.has(rule.type));
  return identity ? ['detector', 'face-detector', 'face-embedder'] : ['detector'];
}
