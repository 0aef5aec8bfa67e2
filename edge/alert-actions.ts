import type { AlertEvent } from './store/alert.js';
import type { ActionEvent } from './actions/warnings.js';
import type { Config } from './config/schema.js';
import type { PersonDirectory } from './identity/matcher.js';

const NAMES = /\{(name|class)\}/;

/**
 * Translates the alert stage's events into what the on-site actions need: the rule's action ids, the zone as it is
 * spoken (its name when it has one), and the person's name and class when the alert has an identity and one of the
 * rule's voice warnings says them. Names are fetched from the gallery here, as the warning is about to be spoken,
 * and live only as long as the warning: the store and the alert record keep person ids. Built once per config, so a
 * lookup per event is a few map reads.
 */
export function alertToActions(config: Config, directory?: PersonDirectory): (event: AlertEvent) => ActionEvent {
  const actionsOfRule = new Map(config.rules.map((rule) => [rule.id, rule.actions]));
  const speaksNames = new Set(
    config.actions.filter((action) => action.type === 'voice' && action.template !== undefined && NAMES.test(action.template)).map((action) => action.id),
  );
  const rulesSayingNames = new Set(config.rules.filter((rule) => rule.actions.some((id) => speaksNames.has(id))).map((rule) => rule.id));
  const spokenZone = new Map<string, string>();
  for (const camera of config.cameras) {
    for (const area of [...camera.zones, ...camera.lines]) spokenZone.set(`${camera.id}/${area.id}`, area.name ?? area.id);
  }
  return ({ kind, alert }) => {
    const speaks = kind === 'raised' || kind === 'updated';
    const names = speaks && alert.identity !== null && rulesSayingNames.has(alert.rule) ? directory?.names(alert.identity.personId) : undefined;
    return {
      kind,
      actions: actionsOfRule.get(alert.rule) ?? [],
      alert: {
        id: alert.id,
        rule: alert.rule,
        type: alert.type,
        severity: alert.severity,
        camera: alert.camera,
        zone: spokenZone.get(`${alert.camera}/${alert.zone}`) ?? alert.zone,
        ...(alert.trackId === null ? {} : { trackId: alert.trackId }),
        identity: names === undefined ? null : { name: names.name, ...(names.class === undefined ? {} : { class: names.class }) },
      },
    };
  };
}
