import { mkdirSync, writeFileSync } from 'node:fs';
import { payloadJsonSchemaFiles } from '../edge/uplink/json-schemas.js';

/** Writes docs/schemas/*.json; test/unit/uplink/json-schemas.test.ts fails when the committed files drift from the zod schemas. */
const target = new URL('../../docs/schemas/', import.meta.url);
mkdirSync(target, { recursive: true });
for (const [file, text] of Object.entries(payloadJsonSchemaFiles())) {
  writeFileSync(new URL(file, target), text);
  process.stdout.write(`wrote docs/schemas/${file}\n`);
}
