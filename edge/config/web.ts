import { isIP } from 'node:net';
import { z } from 'zod';

/** Resolved at start-up to the box's private and link-local addresses plus loopback (edge/web/bind-address.ts). */
export const LAN_HOST = 'lan';

const host = z
  .string()
  .refine((value) => value === LAN_HOST || isIP(value) !== 0, `expected "${LAN_HOST}" or an IPv4 / IPv6 address such as 192.168.1.20`)
  .default(LAN_HOST)
  .describe(
    `Address the local page listens on. "${LAN_HOST}" (the default) listens on every private (10/8, 172.16/12, 192.168/16, fc00::/7) and link-local address the box has at start-up, and on 127.0.0.1, never on a public one. An address listens there only; 0.0.0.0 or :: listen on every interface, public ones included.`,
  );

export const webSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Serve the local page, /metrics and /healthz over HTTP.'),
    host,
    port: z.number().int().min(1).max(65_535).default(8080).describe('TCP port of the local page, /metrics and /healthz.'),
  })
  .strict()
  .default({ enabled: true, host: LAN_HOST, port: 8080 })
  .describe('The local page for installers and the operations endpoints beside it (Prometheus /metrics, /healthz), reachable on the LAN only by default.');

export type WebConfig = z.output<typeof webSchema>;
