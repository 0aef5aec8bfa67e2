import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { HuxiaoError } from '../errors.js';

/** One row of a pairs CSV: two photos and, when the CSV says so, whether they show the same person. */
export interface FacePair {
  /** 1-based line in the CSV, for messages. */
  readonly line: number;
  /** As written in the CSV (printed back as is). */
  readonly a: string;
  readonly b: string;
  /** The photos' paths resolved against the CSV's folder. */
  readonly pathA: string;
  readonly pathB: string;
  readonly same?: boolean;
}

/** Splits one CSV line into fields: commas, double-quoted fields with "" for a quote (RFC 4180 within a line). */
export function csvFields(line: string): string[] | undefined {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line.charAt(i);
    if (quoted) {
      if (char === '"' && line.charAt(i + 1) === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (char === ',') {
      out.push(field.trim());
      field = '';
    } else field += char;
  }
  if (quoted) return undefined;
  out.push(field.trim());
  return out;
}

function sameValue(text: string): boolean | undefined {
  const value = text.toLowerCase();
  return value === 'yes' ? true : value === 'no' ? false : undefined;
}

/** Parses pairs CSV text; `source` (the CSV's path) names it in errors and is the base of relative photo paths. */
export function parsePairs(text: string, source: string): FacePair[] {
  const fail = (line: number, message: string): never => {
    throw new HuxiaoError('FACE_PAIRS', `${source} line ${line}: ${message}`);
  };
  const base = dirname(source);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  if (headerIndex < 0) throw new HuxiaoError('FACE_PAIRS', `${source}: empty; expected a header line such as "a,b,same" and one line per pair`);
  const header = (csvFields(lines[headerIndex] ?? '') ?? []).map((name) => name.toLowerCase());
  const column = (name: string): number => header.indexOf(name);
  const [ia, ib, isame] = [column('a'), column('b'), column('same')];
  if (ia < 0 || ib < 0) fail(headerIndex + 1, `the header must name the columns a and b (and optionally same), got "${lines[headerIndex]?.trim() ?? ''}"`);
  const pairs: FacePair[] = [];
  lines.forEach((text, index) => {
    if (index <= headerIndex || text.trim() === '') return;
    const line = index + 1;
    const row = csvFields(text) ?? fail(line, 'unclosed quote');
    if (row.length !== header.length) fail(line, `expected ${header.length} fields like the header, got ${row.length}`);
    const a = row[ia] ?? '';
    const b = row[ib] ?? '';
    if (a === '' || b === '') fail(line, 'a photo path is empty');
    const pair = { line, a, b, pathA: resolve(base, a), pathB: resolve(base, b) };
    if (isame < 0) {
      pairs.push(pair);
      return;
    }
    const same = sameValue(row[isame] ?? '') ?? fail(line, `same must be yes or no, got "${row[isame] ?? ''}"`);
    pairs.push({ ...pair, same });
  });
  if (pairs.length === 0) throw new HuxiaoError('FACE_PAIRS', `${source}: no pairs after the header`);
  return pairs;
}

export async function readPairs(path: string): Promise<FacePair[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new HuxiaoError('FACE_PAIRS', `${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  return parsePairs(text, path);
}
