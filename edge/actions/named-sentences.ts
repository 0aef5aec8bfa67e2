import type { Config } from '../config/schema.js';
import { fill } from './template.js';

const NAMES = /\{(name|class)\}/;

/** The parts of the config that decide what a warning says. */
export type SentenceConfig = Pick<Config, 'actions' | 'rules' | 'cameras'>;

/** What a warning may say of an enrolled person. */
export interface SpokenPerson {
  readonly name: string;
  readonly class?: string | undefined;
}

/**
 * Every sentence a warning of this config can say with this person's name or class: for each enabled rule, each of
 * its voice actions whose template says {name} or {class}, filled as the warning fills it (the zone by its name, else
 * its id; the rule's camera). A template whose placeholders the person cannot fill (no class) gives its fallback,
 * which names nobody and is rendered at start like any fixed sentence, so it is not listed.
 */
export function namedSentences(config: SentenceConfig, person: SpokenPerson): string[] {
  const spokenZone = new Map<string, string>();
  for (const camera of config.cameras) {
    for (const area of [...camera.zones, ...camera.lines]) spokenZone.set(`${camera.id}/${area.id}`, area.name ?? area.id);
  }
  const sentences = new Set<string>();
  for (const rule of config.rules) {
    if (!rule.enabled) continue;
    const area = 'zone' in rule && rule.zone !== undefined ? rule.zone : 'line' in rule && rule.line !== undefined ? rule.line : '';
    const values = { name: person.name, class: person.class, zone: spokenZone.get(`${rule.camera}/${area}`) ?? area, camera: rule.camera };
    for (const id of rule.actions) {
      const action = config.actions.find((candidate) => candidate.id === id);
      if (action?.type !== 'voice' || action.template === undefined || !NAMES.test(action.template)) continue;
      const text = fill(action.template, values);
      if (text !== undefined) sentences.add(text);
    }
  }
  return [...sentences];
}
