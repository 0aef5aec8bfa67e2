import { z } from 'zod';

const snapshotSchema = z
  .object({
    jpegQuality: z.number().int().min(30).max(100).default(85).describe('JPEG quality of the snapshot and its crop.'),
    cropPadding: z.number().min(0).max(2).default(0.25).describe('Margin added around the box for the tight crop, as a fraction of the box size.'),
    maxWidth: z.number().int().min(160).max(3840).default(1280).describe('Snapshots wider than this are scaled down.'),
  })
  .strict()
  .default({ jpegQuality: 85, cropPadding: 0.25, maxWidth: 1280 })
  .describe('The JPEG pictures attached to an alert.');

export const alertsSchema = z
  .object({
    defaultCooldownSeconds: z
      .number()
      .min(0)
      .max(86_400)
      .default(60)
      .describe('Repeats of a rule for the same camera and track within this time of the alert update it instead of raising a new one; a rule\'s own cooldownSeconds wins.'),
    expireAfterMinutes: z
      .number()
      .min(1)
      .max(43_200)
      .default(1440)
      .describe('An alert neither resolved nor expired this long after it was raised expires.'),
    expiryCheckSeconds: z.number().int().min(1).max(3600).default(30).describe('How often alerts are checked for expiry.'),
    snapshot: snapshotSchema,
  })
  .strict()
  .default({ defaultCooldownSeconds: 60, expireAfterMinutes: 1440, expiryCheckSeconds: 30, snapshot: { jpegQuality: 85, cropPadding: 0.25, maxWidth: 1280 } })
  .describe('Alert lifecycle: repeats, expiry, snapshots.');

export type AlertsConfig = z.output<typeof alertsSchema>;
