import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';

const dir = new URL('../../../docs/schemas/', import.meta.url);
const ajv = new Ajv2020({ strict: false, allErrors: true });
const validators = new Map(
  readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => [file.replace(/\.json$/, ''), ajv.compile(JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as object)] as const),
);

/** Validates a payload against the committed JSON Schema docs/schemas/<name>.json (what the centre relies on); returns the errors. */
export function schemaErrors(name: string, payload: unknown): string[] {
  const validate = validators.get(name);
  if (validate === undefined) throw new Error(`no docs/schemas/${name}.json`);
  return validate(payload) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
}
