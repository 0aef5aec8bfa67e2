import { writeFileSync } from 'node:fs';
import { configJsonSchemaText } from '../edge/config/json-schema.js';

/** Writes config/schema.json; test/unit/config/json-schema.test.ts fails when the committed file drifts from the schema. */
const target = new URL('../../config/schema.json', import.meta.url);
writeFileSync(target, configJsonSchemaText());
process.stdout.write(`wrote ${target.pathname}\n`);
