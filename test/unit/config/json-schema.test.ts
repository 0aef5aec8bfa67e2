import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { configJsonSchemaText } from '../../../edge/config/json-schema.js';

it('config/schema.json matches the schema in edge/config (run `npm run schema` after changing it)', () => {
  const committed = readFileSync(new URL('../../../../config/schema.json', import.meta.url), 'utf8');
  assert.equal(committed, configJsonSchemaText());
});
