import { writeFileSync } from 'node:fs';
import { configReferenceMarkdown } from './config-reference.js';

/** Writes docs/config.md; test/unit/config/config-docs.test.ts fails when the committed file drifts from the schema. */
const target = new URL('../../docs/config.md', import.meta.url);
writeFileSync(target, configReferenceMarkdown());
process.stdout.write(`wrote ${target.pathname}\n`);
