import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig, readConfigText } from '../../../edge/config/load.js';
import type { RuleConfig } from '../../../edge/config/rules.js';
import type { Config } from '../../../edge/config/schema.js';
import { ScheduleClock } from '../../../edge/rules/schedule.js';
import { labelProblems } from '../../../edge/vision/config-labels.js';
import { DEFAULT_MODELS_DIR, readManifest, selectModel } from '../../../edge/vision/manifest.js';
import { namedPrecision } from '../../../edge/vision/precision-choice.js';

const CONFIG_DIR = new URL('../../../../config/', import.meta.url);
const EXAMPLES = readdirSync(CONFIG_DIR).filter((name) => name.endsWith('.yaml'));
const text = (name: string): string => readFileSync(new URL(name, CONFIG_DIR), 'utf8');
/** The examples as an installer's laptop sees them: their secrets are missing (and reported as notes). */
const deferred = (name: string) => readConfigText(text(name), name, { secrets: 'defer' });

const rulesOf = <T extends RuleConfig['type']>(config: Config, type: T): Extract<RuleConfig, { type: T }>[] =>
  config.rules.filter((rule): rule is Extract<RuleConfig, { type: T }> => rule.type === type);

describe('the example configs in config/', () => {
  it('are the four scenarios', () => {
    assert.deepEqual(EXAMPLES, ['demo.yaml', 'pond-fence.yaml', 'school-gate.yaml', 'venue-entrance.yaml']);
  });

  for (const name of EXAMPLES) {
    it(`${name} is valid without its secrets, and the strict default refuses it only for those secrets`, async () => {
      const loaded = deferred(name);
      const strict = (() => {
        try {
          parseConfig(text(name), name);
          return [];
        } catch (error) {
          assert.ok(error instanceof ConfigError && error.code === 'CONFIG_INVALID', String(error));
          return error.issues;
        }
      })();
      assert.deepEqual(strict, loaded.notes);
      for (const note of loaded.notes) assert.match(note.message, /^(environment variable \w+ is not set|cannot read secret file \/etc\/huxiao\/secrets\/[\w-]+: ENOENT)$/);
      assert.ok(loaded.notes.every((note) => note.line !== undefined && /password$/.test(note.path)), JSON.stringify(loaded.notes));

      const manifest = await readManifest(`${DEFAULT_MODELS_DIR}manifest.json`);
      const detector = selectModel(manifest, 'detector', namedPrecision(loaded.config.vision.precision.detector));
      assert.deepEqual(labelProblems(loaded.config, { model: detector.name, labels: detector.labels ?? [] }), []);
      assert.ok(loaded.config.rules.length > 0 && loaded.config.cameras.every((camera) => camera.zones.length + camera.lines.length > 0), 'every camera has something to watch');
      assert.ok(text(name).split('\n').filter((line) => line.trimStart().startsWith('#')).length >= 5, 'the scenario is explained in comments');
    });
  }

  it('pond-fence: the fence zone, intrusion and dwell with voice warnings naming the child, the amplifier on GPIO', () => {
    const { config } = deferred('pond-fence.yaml');
    const [intrusion] = rulesOf(config, 'intrusion');
    const [dwell] = rulesOf(config, 'dwell');
    assert.ok(intrusion && dwell);
    assert.equal(intrusion.zone, dwell.zone);
    const zone = config.cameras.flatMap((camera) => camera.zones).find((z) => z.id === intrusion.zone);
    assert.deepEqual(zone?.labels, ['person']);
    for (const rule of [intrusion, dwell]) {
      assert.ok(rule.actions.length > 0, rule.id);
      for (const id of rule.actions) {
        const action = config.actions.find((a) => a.id === id);
        assert.ok(action?.type === 'voice', id);
        assert.match(action.template ?? '', /\{class\}\{name\}/);
        assert.ok(action.fallback !== undefined && !/\{(class|name)\}/.test(action.fallback));
      }
    }
    const amplifier = config.gpio.amplifier;
    assert.ok(amplifier && 'chip' in amplifier.line, 'the amplifier is on a { chip, line } GPIO line');
  });

  it('school-gate: wall climbing, loitering and returns, weapons, gathering, parking, vendors, counts, the staffed post, the emergency button', () => {
    const { config } = deferred('school-gate.yaml');
    assert.deepEqual(
      [...new Set(config.rules.map((rule) => rule.type))].sort(),
      ['absence', 'count', 'crowd', 'dwell', 'line-cross', 'object', 'parking', 'return', 'vendor'],
    );
    assert.ok(rulesOf(config, 'object').some((rule) => rule.labels.includes('knife') && rule.labels.includes('baseball bat')));
    // Mon 3 March 2025 in Asia/Shanghai: arrival 07:30, midday 12:00, dismissal 16:40; Sun 2 March 07:30.
    const at = (iso: string): number => Date.parse(iso);
    const staffed = (ts: number): string[] =>
      rulesOf(config, 'absence').filter((rule) => new ScheduleClock(rule.schedule, config.gateway.timezone).isActive(ts)).map((rule) => rule.id);
    assert.equal(staffed(at('2025-03-03T07:30:00+08:00')).length, 1, 'the post is watched at arrival');
    assert.equal(staffed(at('2025-03-03T16:40:00+08:00')).length, 1, 'the post is watched at dismissal');
    assert.deepEqual(staffed(at('2025-03-03T12:00:00+08:00')), []);
    assert.deepEqual(staffed(at('2025-03-02T07:30:00+08:00')), []);
    const button = config.gpio.emergencyButton;
    assert.ok(button);
    assert.ok(button.cameras.length > 0);
    const siren = config.actions.find((action) => action.id === button.siren);
    assert.ok(siren?.type === 'siren');
    assert.ok(config.gpio.outputs.some((output) => output.id === siren.output));
  });

  it('venue-entrance: the entrance zone with counts, loitering and crowding, and a marked place for the identity rules', () => {
    const { config } = deferred('venue-entrance.yaml');
    assert.deepEqual([...new Set(config.rules.map((rule) => rule.type))].sort(), ['count', 'crowd', 'dwell', 'intrusion']);
    assert.match(text('venue-entrance.yaml'), /# Identity rules go here/);
  });
});
