import { listPolicy, type IdentityConfig } from '../config/identity.js';
import type { DeepReadonly } from '../config/schema.js';
import type { PersonDetails } from './gallery-codec.js';

/** What the centre may learn of an identified person. */
export interface SharedIdentity {
  readonly personId: string;
  readonly list: string;
  readonly name?: string;
  readonly class?: string;
}

/**
 * The identity as it may leave the box in an MQTT payload: the person id and list always, the name and class only
 * when the config's policy for that list says shareNames. School and consent reference never leave.
 */
export function sharedIdentity(config: DeepReadonly<IdentityConfig>, person: { readonly id: string; readonly list: string } & PersonDetails): SharedIdentity {
  const shared = { personId: person.id, list: person.list };
  if (!listPolicy(config, person.list).shareNames) return shared;
  return { ...shared, name: person.name, ...(person.class === undefined ? {} : { class: person.class }) };
}
