import { z } from 'zod';
import { configSchema } from './schema.js';

/** The JSON Schema of the config file as an editor or installer tool reads it (input side: defaults make keys optional). */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'Huxiao Edge config',
  };
}

export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
