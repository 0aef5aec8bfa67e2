import { z } from 'zod';
import { PAYLOAD_SCHEMAS } from './payloads.js';

/** Payloads the centre sends: documented as it may write them (defaults make keys optional). */
const INBOUND = new Set<keyof typeof PAYLOAD_SCHEMAS>(['command.v1', 'cmd-ack.args.v1', 'cmd-resolve.args.v1', 'cmd-ping.args.v1', 'cmd-snapshot.args.v1', 'cmd-config.reload.args.v1', 'cmd-enroll.args.v1', 'cmd-unenroll.args.v1']);

/** docs/schemas/<name>.json for every payload, generated from the zod schemas the runtime validates with. */
export function payloadJsonSchemaFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [name, schema] of Object.entries(PAYLOAD_SCHEMAS) as [keyof typeof PAYLOAD_SCHEMAS, z.ZodType][]) {
    const json = {
      ...z.toJSONSchema(schema, { io: INBOUND.has(name) ? 'input' : 'output', unrepresentable: 'any' }),
      title: `Huxiao Edge MQTT payload ${name}`,
    };
    files[`${name}.json`] = `${JSON.stringify(json, null, 2)}\n`;
  }
  return files;
}
