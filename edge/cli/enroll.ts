import { mkdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { namedSentences } from '../actions/named-sentences.js';
import { PersonVoice } from '../actions/person-voice.js';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { HuxiaoError, isHuxiaoError } from '../errors.js';
import { readEnrollCsv, type EnrollRow } from '../gallery/enroll-csv.js';
import { Enrollment, FacePhotosError, type EnrollmentPhoto, type EnrollmentResult } from '../gallery/enrollment.js';
import { Gallery } from '../gallery/gallery.js';
import { FacePhotoError } from '../identity/face-photo.js';
import { openFaceModels, type FaceModels } from '../identity/face-models.js';
import { Store } from '../store/store.js';

interface EnrollOptions {
  readonly config: string;
  readonly photo: string[];
  readonly folder?: string;
  readonly csv?: string;
  readonly id?: string;
  readonly name?: string;
  readonly class?: string;
  readonly school?: string;
  readonly list: string;
  readonly consent?: string;
  readonly by: string;
}

/** Pictures a folder of one person's photos holds, by file name. */
const PICTURE = /\.(jpe?g|png|webp)$/i;

async function folderPhotos(folder: string): Promise<EnrollmentPhoto[]> {
  let names: string[];
  try {
    names = (await readdir(folder)).filter((name) => PICTURE.test(name)).sort();
  } catch (error) {
    throw new HuxiaoError('GALLERY_INVALID', `--folder ${folder}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  if (names.length === 0) throw new HuxiaoError('GALLERY_INVALID', `--folder ${folder}: no .jpg, .jpeg, .png or .webp photos in it`);
  return names.map((name) => ({ name: join(folder, name), source: resolve(folder, name) }));
}

function voiceText(result: EnrollmentResult): string {
  const { voice } = result;
  if (voice === null) return '';
  if ('error' in voice) return `; name clips not rendered (${voice.code}: ${voice.error})`;
  const clips = voice.rendered + voice.kept;
  return `; ${String(clips)} name ${clips === 1 ? 'clip' : 'clips'} ready`;
}

/** The store, gallery, face models and voice of one enroll run, stopped in reverse whatever happens. */
async function withEnrollment(config: Config, work: (enrollment: Enrollment) => Promise<void>): Promise<void> {
  // Enrollment may be the first thing done on a new box: it creates the store (and the key: Gallery.start) as the service would.
  mkdirSync(config.storage.dir, { recursive: true });
  const store = new Store({ path: join(config.storage.dir, 'huxiao.db') });
  store.start();
  let models: FaceModels | undefined;
  try {
    const gallery = new Gallery({ store, keyFile: config.identity.keyFile });
    gallery.start();
    try {
      const opened = await openFaceModels(config.vision);
      models = opened;
      const voice = new PersonVoice({ audio: config.audio, sentences: (person) => namedSentences(config, person) });
      await work(new Enrollment({ gallery, models: () => Promise.resolve(opened), voice }));
    } finally {
      gallery.stop();
    }
  } finally {
    await models?.stop();
    store.stop();
  }
}

async function enrollOne(enrollment: Enrollment, options: EnrollOptions): Promise<void> {
  if (options.name === undefined) throw new HuxiaoError('GALLERY_INVALID', '--name: required with --photo or --folder');
  if (options.consent === undefined) throw new HuxiaoError('GALLERY_INVALID', '--consent: required, the reference of the consent or authorization the enrollment rests on');
  const photos = [...options.photo.map((photo) => ({ name: photo, source: resolve(photo) })), ...(options.folder === undefined ? [] : await folderPhotos(options.folder))];
  const result = await enrollment.enroll({
    ...(options.id === undefined ? {} : { id: options.id }),
    list: options.list,
    name: options.name,
    consent: options.consent,
    ...(options.class === undefined ? {} : { class: options.class }),
    ...(options.school === undefined ? {} : { school: options.school }),
    photos,
    by: options.by,
  });
  process.stdout.write(`enrolled ${result.id} (list ${result.list}) from ${String(result.photos)} ${result.photos === 1 ? 'photo' : 'photos'} by ${result.enrolledBy}${voiceText(result)}\n`);
}

function rowError(error: unknown): Record<string, unknown> {
  if (!isHuxiaoError(error)) throw error;
  const reasons = error instanceof FacePhotosError ? { photos: error.problems.map((problem) => ({ photo: problem.photo, reason: problem.reason })) } : error instanceof FacePhotoError ? { photos: [{ photo: error.photo, reason: error.reason }] } : {};
  return { code: error.code, message: error.message, ...reasons };
}

/**
 * One person per row, each enrolled or refused on its own: one blurred photo does not keep the rest of a class out,
 * and a row refused leaves nothing stored of that person. One JSON line per row, in the CSV's order, then a summary;
 * exit 1 when a row failed.
 */
async function enrollCsv(enrollment: Enrollment, rows: readonly EnrollRow[], by: string): Promise<void> {
  let failed = 0;
  for (const row of rows) {
    const head = { line: row.line, ...(row.id === undefined ? {} : { id: row.id }) };
    try {
      const result = await enrollment.enroll({ ...row, photos: row.photos.map((photo) => ({ name: photo.name, source: photo.path })), by });
      process.stdout.write(`${JSON.stringify({ ...head, id: result.id, list: result.list, photos: result.photos, voice: result.voice })}\n`);
    } catch (error) {
      failed += 1;
      process.stdout.write(`${JSON.stringify({ ...head, error: rowError(error) })}\n`);
    }
  }
  process.stdout.write(`${JSON.stringify({ rows: rows.length, enrolled: rows.length - failed, failed })}\n`);
  if (failed > 0) {
    process.stderr.write(`huxiao: ${String(failed)} of ${String(rows.length)} persons not enrolled (see their "error"); the others are\n`);
    process.exitCode = 1;
  }
}

async function enroll(options: EnrollOptions, command: Command): Promise<void> {
  const single = options.photo.length > 0 || options.folder !== undefined;
  if (single === (options.csv !== undefined)) command.error('error: give --photo (once or more) or --folder for one person, or --csv for many', { exitCode: 2 });
  if (options.csv !== undefined && (options.id ?? options.name ?? options.class) !== undefined) command.error('error: --id, --name and --class come from the CSV with --csv', { exitCode: 2 });
  const config = loadConfig(options.config);
  const by = options.by.trim();
  if (by === '' || by.length > 100) throw new HuxiaoError('GALLERY_INVALID', '--by: who enrolls, 1-100 characters');
  // The CSV is read and checked whole before the models load or anyone is enrolled.
  const rows = options.csv === undefined ? undefined : await readEnrollCsv(options.csv, { list: options.list, ...(options.school === undefined ? {} : { school: options.school }), ...(options.consent === undefined ? {} : { consent: options.consent }) });
  await withEnrollment(config, (enrollment) => (rows === undefined ? enrollOne(enrollment, { ...options, by }) : enrollCsv(enrollment, rows, by)));
}

export function registerEnroll(program: Command): void {
  program
    .command('enroll')
    .description(
      'Enroll a person in the face gallery from one or more photos (each must show exactly one face, big and sharp ' +
        'enough), or a class from a CSV (columns id,name,class,school,list,consent,photos; photos relative to the CSV, ' +
        'several separated by ";"); renders the warnings that say their name',
    )
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_PATH)
    .option('--photo <file>', 'a photo of the person (repeat for several)', (value: string, previous: string[]) => [...previous, value], [])
    .option('--folder <dir>', "a folder of the person's photos (.jpg, .jpeg, .png, .webp)")
    .option('--csv <file>', 'a CSV of persons to enroll, one per line')
    .option('--id <id>', 'person id, e.g. the student number (default: a new ULID)')
    .option('--name <name>', "the person's name")
    .option('--class <class>', 'class and grade, e.g. 三年级二班')
    .option('--school <school>', 'school (with --csv: for rows that leave it empty)')
    .option('--list <list>', 'students or keypersons:<category> (with --csv: for rows that leave it empty)', 'students')
    .option('--consent <ref>', 'reference of the consent or authorization (with --csv: for rows that leave it empty)')
    .requiredOption('--by <who>', 'who enrolls, for the audit')
    .action(enroll);
}
