import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { payloadJsonSchemaFiles } from '../../../edge/uplink/json-schemas.js';
import { schemaErrors } from '../../helpers/payload-schemas.js';

const dir = new URL('../../../../docs/schemas/', import.meta.url);

describe('payload JSON Schemas', () => {
  it('docs/schemas/ matches the zod payload schemas (run `npm run schema` after changing them)', () => {
    const generated = payloadJsonSchemaFiles();
    assert.deepEqual(readdirSync(dir).filter((file) => file.endsWith('.json')).sort(), Object.keys(generated).sort());
    for (const [file, text] of Object.entries(generated)) assert.equal(readFileSync(new URL(file, dir), 'utf8'), text, file);
  });

  it('rejects payloads without their schema version or with unknown keys', () => {
    const status = { schema: 1, gateway: 'gw', state: 'online', version: '0.1.0', startedAt: 1, at: 2 };
    assert.deepEqual(schemaErrors('status.v1', status), []);
    assert.notDeepEqual(schemaErrors('status.v1', { ...status, schema: 2 }), []);
    assert.notDeepEqual(schemaErrors('status.v1', { ...status, extra: true }), []);
    assert.notDeepEqual(schemaErrors('command.v1', { ts: 1 }), [], 'a command needs a nonce');
  });
});
