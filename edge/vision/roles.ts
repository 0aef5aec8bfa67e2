import { needsIdentity, type RuleConfig } from '../config/rules.js';
import type { ModelRole } from './manifest.js';

/**
 * The model roles a config needs: the object detector always, the face detector and embedder only when a rule needs
 * identities (watchlist, minor-venue, intrusion / dwell with identify: config/rules.ts usesIdentity). Disabled rules
 * count: a reload may enable them, and it restarts the cameras but not the models.
 */
export function rolesNeeded(config: { readonly rules: readonly RuleConfig[] }): ModelRole[] {
  return needsIdentity(config) ? ['detector', 'face-detector', 'face-embedder'] : ['detector'];
}
