import { z } from 'zod';

export const storageSchema = z
  .object({
    dir: z.string().min(1).default('/var/lib/huxiao').describe('Directory holding the SQLite database (huxiao.db), the snapshots/ folder and precision.json (the builds vision.precision auto measured on this machine).'),
    quotaMb: z
      .number()
      .int()
      .min(16)
      .max(1_048_576)
      .default(2048)
      .describe('Disk the store may use, database and snapshots together, in MiB. Oldest snapshots are evicted first, delivered alerts next, undelivered alerts last.'),
    snapshotRetentionDays: z.number().min(0.01).max(3650).default(30).describe('Snapshots older than this are deleted.'),
    alertRetentionDays: z.number().min(0.01).max(3650).default(365).describe('Alerts older than this are deleted once the centre has received them.'),
    checkIntervalSeconds: z.number().int().min(5).max(86_400).default(300).describe('How often retention by age and quota runs (it also runs before every snapshot write).'),
  })
  .strict()
  .default({ dir: '/var/lib/huxiao', quotaMb: 2048, snapshotRetentionDays: 30, alertRetentionDays: 365, checkIntervalSeconds: 300 })
  .describe('Where alerts and snapshots are kept and how much disk they may take.');

export type StorageConfig = z.output<typeof storageSchema>;
