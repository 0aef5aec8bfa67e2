import type { z } from 'zod';

/** One problem in a config file, ready to print as "path: message (line N)". */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
}

/** A problem found in a loaded config, named by the path of its key; the loader adds the line. */
export interface PathProblem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

export function formatIssue(issue: ConfigIssue): string {
  return issue.line === undefined ? `${issue.path}: ${issue.message}` : `${issue.path}: ${issue.message} (line ${issue.line})`;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' ? String(value) : typeof value;
}

function messageOf(issue: z.core.$ZodIssue): string {
  const got = 'input' in issue ? `, got ${describeValue(issue.input)}` : '';
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}${got}`;
    case 'too_small':
      return `expected ${issue.origin === 'array' ? 'at least ' + String(issue.minimum) + ' items' : (issue.inclusive ? '>= ' : '> ') + String(issue.minimum)}${got}`;
    case 'too_big':
      return `expected ${issue.origin === 'array' ? 'at most ' + String(issue.maximum) + ' items' : (issue.inclusive ? '<= ' : '< ') + String(issue.maximum)}${got}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got}`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}${got}`;
    case 'invalid_union':
      return `${unionMessage(issue)}${got}`;
    case 'invalid_format':
    case 'invalid_key':
    case 'invalid_element':
      return `${issue.message}${got}`;
    case 'unrecognized_keys':
      return issue.message;
    case 'custom':
      // A refinement on a mapping (a secret reference, say) explains itself; repeating "got a mapping" adds nothing.
      return typeof issue.input === 'object' && issue.input !== null ? issue.message : `${issue.message}${got}`;
  }
}

/** A union's own message is useless ("Invalid input"); name the branch that came closest instead. */
function unionMessage(issue: z.core.$ZodIssueInvalidUnion): string {
  const branches = issue.errors.filter((branch) => branch.length > 0);
  const closest = branches.reduce<z.core.$ZodIssue[] | undefined>((best, branch) => (best === undefined || branch.length < best.length ? branch : best), undefined);
  const first = closest?.[0];
  return first === undefined ? issue.message : messageOf(first);
}

/** Zod's issues as config issues; `lineOf` gives the line of a path in the file (or of its nearest ancestor). */
export function issuesFromZod(error: z.ZodError, lineOf: (path: readonly PropertyKey[]) => number | undefined): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        const line = lineOf(path);
        out.push({ path: formatPath(path), message: 'unknown key', ...(line === undefined ? {} : { line }) });
      }
      continue;
    }
    const line = lineOf(issue.path);
    out.push({ path: formatPath(issue.path), message: messageOf(issue), ...(line === undefined ? {} : { line }) });
  }
  return out;
}
