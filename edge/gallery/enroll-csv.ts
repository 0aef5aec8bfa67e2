import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { HuxiaoError } from '../errors.js';
import { csvFields } from '../identity/face-pairs.js';

/** One person of an enrollment CSV, with the command's defaults filled in. */
export interface EnrollRow {
  /** 1-based line in the CSV, for the report. */
  readonly line: number;
  readonly id?: string;
  readonly name: string;
  readonly class?: string;
  readonly school?: string;
  readonly list: string;
  readonly consent: string;
  /** Photos as the CSV wrote them (how the report names them) and resolved against the CSV's folder. */
  readonly photos: readonly { readonly name: string; readonly path: string }[];
}

/** What a row may leave empty: the command line's --list, --school and --consent. */
export interface EnrollCsvDefaults {
  readonly list: string;
  readonly school?: string;
  readonly consent?: string;
}

export const ENROLL_COLUMNS = ['id', 'name', 'class', 'school', 'list', 'consent', 'photos'] as const;
type Column = (typeof ENROLL_COLUMNS)[number];

/**
 * Parses an enrollment CSV: a header naming the columns (any order; `name` and `photos` required, the others
 * optional), one person per line, `photos` one or more paths separated by ";" relative to the CSV's folder. Fields
 * may be double-quoted. Anything wrong with the file itself (header, field count, a missing name, photo or consent,
 * an id twice) is ENROLL_CSV naming the line, before anyone is enrolled; problems of a photo are the row's own.
 */
export function parseEnrollCsv(text: string, source: string, defaults: EnrollCsvDefaults): EnrollRow[] {
  const fail = (line: number, message: string): never => {
    throw new HuxiaoError('ENROLL_CSV', `${source} line ${String(line)}: ${message}`);
  };
  const base = dirname(source);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  if (headerIndex < 0) throw new HuxiaoError('ENROLL_CSV', `${source}: empty; expected a header line such as "id,name,class,consent,photos" and one line per person`);
  const header = (csvFields(lines[headerIndex] ?? '') ?? []).map((name) => name.toLowerCase());
  const unknown = header.filter((name) => !(ENROLL_COLUMNS as readonly string[]).includes(name));
  if (unknown.length > 0) fail(headerIndex + 1, `unknown column ${unknown.map((name) => JSON.stringify(name)).join(', ')}; the columns are ${ENROLL_COLUMNS.join(', ')}`);
  if (!header.includes('name') || !header.includes('photos')) fail(headerIndex + 1, `the header must name the columns name and photos, got "${lines[headerIndex]?.trim() ?? ''}"`);
  const rows: EnrollRow[] = [];
  const ids = new Map<string, number>();
  lines.forEach((text, index) => {
    if (index <= headerIndex || text.trim() === '') return;
    const line = index + 1;
    const row = csvFields(text) ?? fail(line, 'unclosed quote');
    if (row.length !== header.length) fail(line, `expected ${String(header.length)} fields like the header, got ${String(row.length)}`);
    const cell = (column: Column): string | undefined => {
      const value = row[header.indexOf(column)]?.trim();
      return value === undefined || value === '' ? undefined : value;
    };
    const name = cell('name') ?? fail(line, 'name is empty');
    const consent = cell('consent') ?? defaults.consent ?? fail(line, 'consent is empty and no --consent was given');
    const photos = (cell('photos') ?? fail(line, 'photos is empty')).split(';').map((photo) => photo.trim()).filter((photo) => photo !== '');
    const id = cell('id');
    if (id !== undefined) {
      const earlier = ids.get(id);
      if (earlier !== undefined) fail(line, `id ${id} again (first on line ${String(earlier)}); one line per person, their photos separated by ";"`);
      ids.set(id, line);
    }
    const klass = cell('class');
    const school = cell('school') ?? defaults.school;
    rows.push({
      line,
      name,
      consent,
      list: cell('list') ?? defaults.list,
      photos: photos.map((photo) => ({ name: photo, path: resolve(base, photo) })),
      ...(id === undefined ? {} : { id }),
      ...(klass === undefined ? {} : { class: klass }),
      ...(school === undefined ? {} : { school }),
    });
  });
  if (rows.length === 0) throw new HuxiaoError('ENROLL_CSV', `${source}: no persons after the header`);
  return rows;
}

export async function readEnrollCsv(path: string, defaults: EnrollCsvDefaults): Promise<EnrollRow[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new HuxiaoError('ENROLL_CSV', `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  return parseEnrollCsv(text, path, defaults);
}
