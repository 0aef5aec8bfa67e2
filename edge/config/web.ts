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

/** Where `huxiao web-password` writes the page's password hash by default. */
export const DEFAULT_PASSWORD_FILE = '/etc/huxiao/web-password';

export const webSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Serve the local page, /metrics and /healthz over HTTP.'),
    host,
    port: z.number().int().min(1).max(65_535).default(8080).describe('TCP port of the local page, /metrics and /healthz.'),
    passwordFile: z
      .string()
      .min(1)
      .default(DEFAULT_PASSWORD_FILE)
      .describe('File holding the scrypt hash of the page\'s password, written by `huxiao web-password`; the password itself is never stored. Without the file nobody can log in.'),
    sessionMinutes: z
      .number()
      .int()
      .min(5)
      .max(10_080)
      .default(720)
      .describe('A login lasts this long, then the page asks for the password again.'),
    loginAttemptsPerMinute: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(5)
      .describe('Login attempts allowed per client address and minute; further ones get 429 until the minute is over.'),
  })
  .strict()
  .default({ enabled: true, host: LAN_HOST, port: 8080, passwordFile: DEFAULT_PASSWORD_FILE, sessionMinutes: 720, loginAttemptsPerMinute: 5 })
  .describe('The local page for installers and the operations endpoints beside it (Prometheus /metrics, /healthz), reachable on the LAN only by default.');

export type WebConfig = z.output<typeof webSchema>;
