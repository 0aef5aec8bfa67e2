import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { configReferenceMarkdown } from '../../../scripts/config-reference.js';

it('docs/config.md matches the schema in edge/config (run `npm run docs:config` after changing it)', () => {
  const committed = readFileSync(new URL('../../../../docs/config.md', import.meta.url), 'utf8');
  assert.equal(committed, configReferenceMarkdown());
});

it('docs/config.md names every key of the schema with a description', () => {
  const rows = configReferenceMarkdown().split('\n').filter((line) => line.startsWith('| `'));
  const undescribed = rows.filter((row) => row.trimEnd().endsWith('|  |')).map((row) => row.split(' | ')[0]);
  assert.deepEqual(undescribed, []);
  for (const key of ['cameras[].zones[].polygon', 'rules[].seconds', 'mqtt.password.env', 'gpio.emergencyButton.line.chip', 'identity.lists.<name>.threshold', 'web.passwordFile']) {
    assert.ok(rows.some((row) => row.startsWith(`| \`${key}\` |`)), `${key} has a row`);
  }
});
