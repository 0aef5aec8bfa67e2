import type { AlertEvent } from './store/alert.js';
import type { ActionEvent } from './actions/warnings.js';
import type { Config } from './config/schema.js';

/**
 * Translates the alert stage's events into what the on-site actions need: the rule's action ids, and the zone as it
 * is spoken (its name when it has one). Built once per config, so a lookup per event is two map reads.
 */
export function alertToActions(config: Config): (event: AlertEvent) => ActionEvent {
  const actionsOfRule = new Map(config.rules.map((rule) => [rule.id, rule.actions]));
  const spokenZone = new Map<string, string>();
  for (const camera of config.cameras) {
    for (const area of [...camera.zones, ...camera.lines]) spokenZone.set(`${camera.id}/${area.id}`, area.name ?? area.id);
  }
  return ({ kind, alert }) => ({
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
      identity: alert.identity,
    },
  });
}
