import { z } from 'zod';

/** Topic-safe: the id becomes an MQTT topic level, so no '/', '+', '#' or spaces. */
const gatewayId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected 1-64 letters, digits, "_", "." or "-", starting with a letter or digit');

const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'expected an IANA time zone such as Asia/Shanghai');

export const gatewaySchema = z
  .object({
    id: gatewayId.describe('Gateway id, unique in the district; the MQTT topic level under the prefix.'),
    name: z.string().max(200).optional().describe('Human-readable name shown to the centre, e.g. the school and site.'),
    timezone: timezone.default('Asia/Shanghai').describe('IANA time zone used for rule schedules.'),
  })
  .strict()
  .describe('Identity of this gateway box.');
