import { z } from 'zod';

/**
 * A gallery list: the student gallery, or one key-person watch list per category (the district programmes have eight;
 * their names are the district's, so any lower-case slug is accepted).
 */
/** The gallery list of the students (minor-venue, the pond fence's named warnings). */
export const STUDENTS_LIST = 'students';
/** Key-person lists are `keypersons:<category>`, one per watch-list category. */
export const KEYPERSONS_PREFIX = 'keypersons:';

export const LIST_PATTERN = /^(students|keypersons:[a-z0-9][a-z0-9_-]{0,31})$/;
const LIST_MESSAGE = 'expected "students" or "keypersons:<category>" (category: lower-case letters, digits, "_" or "-", up to 32)';

export const DEFAULT_THRESHOLD = 90;

const listPolicySchema = z
  .object({
    shareNames: z
      .boolean()
      .default(false)
      .describe('Send the name and class of a matched person of this list to the centre in MQTT payloads. Off: the centre gets the person id only.'),
    threshold: z
      .number()
      .min(0)
      .max(100)
      .default(DEFAULT_THRESHOLD)
      .describe('Lowest 0-100 match score that identifies a person of this list (the district programmes use 90).'),
  })
  .strict();

export const identitySchema = z
  .object({
    keyFile: z
      .string()
      .min(1)
      .default('/etc/huxiao/secrets/gallery.key')
      .describe('File with the 32-byte AES-256 key of the gallery, readable only by the service (mode 0600 or 0400). Never inside the database or this config. Created (mode 0600) only while the gallery is empty.'),
    lists: z
      .record(z.string(), listPolicySchema)
      // A refinement, not a key schema: the message then names the key (a record's key error only says "invalid key").
      .superRefine((lists, ctx) => {
        for (const name of Object.keys(lists)) {
          if (!LIST_PATTERN.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `${LIST_MESSAGE}, got ${JSON.stringify(name)}` });
        }
      })
      .default({})
      .describe('Per-list policy, keyed by list name; a list not named here shares no names and uses threshold 90.'),
  })
  .strict()
  .default({ keyFile: '/etc/huxiao/secrets/gallery.key', lists: {} })
  .describe('Face identification: the encrypted gallery of students and key persons, and what each list shares with the centre.');

export type IdentityConfig = z.output<typeof identitySchema>;
export type ListPolicy = z.output<typeof listPolicySchema>;

/** The policy of a list, with the defaults for a list the config does not name. */
export function listPolicy(config: { readonly lists: Readonly<Partial<Record<string, Readonly<ListPolicy>>>> }, list: string): Readonly<ListPolicy> {
  return config.lists[list] ?? { shareNames: false, threshold: DEFAULT_THRESHOLD };
}
