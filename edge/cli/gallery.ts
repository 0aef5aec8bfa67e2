import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { NameClips } from '../actions/name-clips.js';
import { nameClipsDir } from '../actions/person-voice.js';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { HuxiaoError } from '../errors.js';
import { GalleryStore, type PersonRecord } from '../gallery/gallery-store.js';
import { GalleryVault } from '../gallery/gallery-vault.js';
import { Store } from '../store/store.js';

/** UTC to the second: what an installer compares with the audit. */
function when(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * Runs `work` on the gallery tables of the configured store; undefined when there is no store file yet (nothing
 * enrolled). The CLI never creates the store nor the key: the service and enrollment do.
 */
function withGallery<T>(config: Config, work: (gallery: GalleryStore) => T): T | undefined {
  const path = join(config.storage.dir, 'huxiao.db');
  if (!existsSync(path)) return undefined;
  const store = new Store({ path });
  store.start();
  try {
    return work(new GalleryStore(store));
  } finally {
    store.stop();
  }
}

function openVault(config: Config, gallery: GalleryStore): GalleryVault {
  return GalleryVault.open(gallery, { keyFile: config.identity.keyFile, create: false });
}

/** Terminal columns of a text: Chinese characters (CJK and full-width forms) take two. */
function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    width += (code >= 0x2e80 && code <= 0xa4cf) || (code >= 0xac00 && code <= 0xd7a3) || (code >= 0xf900 && code <= 0xfaff) || (code >= 0xff00 && code <= 0xff60) ? 2 : 1;
  }
  return width;
}

function table(rows: readonly string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => displayWidth(row[column] ?? '')))) ?? [];
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat((widths[column] ?? 0) - displayWidth(cell)))).join('  ')).join('\n');
}

function listGallery(options: { config: string; list?: string; names?: boolean }): void {
  const config = loadConfig(options.config);
  const lines = withGallery(config, (gallery) => {
    const persons = gallery.list(options.list);
    const vault = options.names === true && persons.length > 0 ? openVault(config, gallery) : undefined;
    const header = ['id', 'list', 'enrolled at', 'by', ...(vault === undefined ? [] : ['name', 'class'])];
    const rows = persons.map((person: PersonRecord) => {
      const base = [person.id, person.list, when(person.enrolledAt), person.enrolledBy];
      if (vault === undefined) return base;
      const details = vault.details(gallery.require(person.id));
      return [...base, details.name, details.class ?? ''];
    });
    return `${table([header, ...rows])}\n${String(persons.length)} ${persons.length === 1 ? 'person' : 'persons'}`;
  });
  process.stdout.write(`${lines ?? '0 persons (no store yet)'}\n`);
}

function showPerson(id: string, options: { config: string }): void {
  const config = loadConfig(options.config);
  const text = withGallery(config, (gallery) => {
    const person = gallery.require(id);
    const vault = openVault(config, gallery);
    const details = vault.details(person);
    const embeddings = vault.embeddings(person);
    return table([
      ['id:', person.id],
      ['list:', person.list],
      ['name:', details.name],
      ['class:', details.class ?? '-'],
      ['school:', details.school ?? '-'],
      ['consent:', details.consent],
      ['enrolled:', `${when(person.enrolledAt)} by ${person.enrolledBy}`],
      ['changed:', when(person.updatedAt)],
      ['embeddings:', `${String(embeddings.length)} x ${String(embeddings[0]?.length ?? 0)}`],
    ]);
  });
  if (text === undefined) throw new HuxiaoError('GALLERY_UNKNOWN_PERSON', `no person "${id}" in the gallery (no store yet)`);
  process.stdout.write(`${text}\n`);
}

async function removePerson(id: string, options: { config: string; by: string }): Promise<void> {
  const config = loadConfig(options.config);
  const by = options.by.trim();
  if (by === '' || by.length > 100) throw new HuxiaoError('GALLERY_INVALID', '--by: who removes the person, 1-100 characters');
  const removal = withGallery(config, (gallery) => gallery.remove(id, { by }));
  if (removal === undefined) throw new HuxiaoError('GALLERY_UNKNOWN_PERSON', `no person "${id}" in the gallery (no store yet)`);
  const wal = removal.wiped ? 'no copy left in the database or its WAL' : 'the WAL is in use by another reader: its old pages are wiped at the next checkpoint';
  // The clips need no key: they are found by the person id (name-clips.ts).
  const clips = await new NameClips(nameClipsDir(config.audio)).remove(id);
  const voice = clips === 0 ? '' : `; ${String(clips)} name ${clips === 1 ? 'clip' : 'clips'} deleted`;
  process.stdout.write(`removed ${removal.id} (list ${removal.list}) by ${by}; ${wal}${voice}\n`);
}

export function registerGallery(program: Command): void {
  const gallery = program.command('gallery').description('The encrypted face gallery: list, show and remove enrolled persons (every removal is audited)');
  gallery
    .command('list')
    .description('Ids, lists and who enrolled them when; names only with --names (needs the gallery key)')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_PATH)
    .option('--list <name>', 'only this list (students, keypersons:<category>)')
    .option('--names', "also print each person's name and class: children's personal data on this screen")
    .action(listGallery);
  gallery
    .command('show <id>')
    .description("One person's record with name, class, school and consent reference (needs the gallery key)")
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_PATH)
    .action(showPerson);
  gallery
    .command('remove <id>')
    .description('Delete a person, their embeddings and their name clips for real (zeroed in the database and its WAL); needs no key')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_PATH)
    .requiredOption('--by <who>', 'who removes them, for the audit')
    .action(removePerson);
}
