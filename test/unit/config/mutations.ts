/** One mutated config file: what was done to which example, and the text. */
export interface Mutant {
  readonly kind: string;
  readonly name: string;
  readonly text: string;
}

/** mulberry32: a small seeded generator, so every run of the suite tries the same files. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const WRONG_TYPES = ['[1, 2]', '{ a: 1 }', '"text"', '-1', 'true', '~', '""', '[]', '{}', '0', 'null', '[[0, 0]]'];
const HUGE_NUMBERS = ['1e309', '-1e309', '99999999999999999999999', '0x7fffffffffffffffffffff', '.nan', '.inf', '-.inf', '1e-400', '123456789012345678901234567890.5', '0o7777777777777777777777'];
const BAD_ALIASES = ['*nope', '{ <<: *nope }', '{ <<: 3 }', '{ <<: [1, 2] }', '&self [*self]', '&loop { a: *loop }', '!!binary aGVsbG8=', '!custom 3', '? [a, b]', '*'];
/** Each level aliases the one before nine times: 9^8 values if expanded. */
const ALIAS_BOMB = ['a0: &a0 [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array.from({ length: 9 }, () => `*a${i}`).join(', ')}]`)].join('\n');
const DEEP = `${'['.repeat(5000)}${']'.repeat(5000)}`;

/** Lines of the form `key: value` (in a list item or not) whose value can be replaced. */
const KEY_VALUE = /^(\s*(?:- )?[\w.-]+: )(\S.*)$/;

/**
 * Mutants of one example config: deleted, duplicated and truncated lines, wrong types, binary bytes, undefined aliases,
 * anchors and merge keys, duplicate keys, huge numbers, wrong indentation, and a few whole-file oddities.
 * `perKind` positions are drawn for each line-based kind.
 */
export function mutants(name: string, text: string, random: () => number, perKind: number): Mutant[] {
  const lines = text.split('\n');
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(random() * items.length)];
    if (item === undefined) throw new Error('nothing to pick from');
    return item;
  };
  const valueLines = lines.map((line, index) => (KEY_VALUE.test(line) ? index : -1)).filter((index) => index >= 0);
  const numberLines = valueLines.filter((index) => /: -?\d/.test(lines[index] ?? ''));
  const anyLine = (): number => Math.floor(random() * lines.length);
  const out: Mutant[] = [];
  const add = (kind: string, edited: string[] | string): void => {
    out.push({ kind, name: `${name} ${kind} #${out.length}`, text: typeof edited === 'string' ? edited : edited.join('\n') });
  };
  const withLine = (index: number, replace: (line: string) => string[]): string[] => [...lines.slice(0, index), ...replace(lines[index] ?? ''), ...lines.slice(index + 1)];
  const withValue = (index: number, value: string): string[] => withLine(index, (line) => [line.replace(KEY_VALUE, (_, key: string) => `${key}${value}`)]);

  for (let n = 0; n < perKind; n++) {
    add('deleted line', withLine(anyLine(), () => []));
    add('duplicated line', withLine(anyLine(), (line) => [line, line]));
    add('truncated at a line', lines.slice(0, anyLine()));
    add('truncated mid-line', text.slice(0, Math.floor(random() * text.length)));
    add('wrong type', withValue(pick(valueLines), pick(WRONG_TYPES)));
    const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 12) }, () => Math.floor(random() * 256))).toString('utf8');
    const at = Math.floor(random() * text.length);
    add('binary bytes', `${text.slice(0, at)}${bytes}${text.slice(at)}`);
    add('bad alias or merge', withValue(pick(valueLines), pick(BAD_ALIASES)));
    add('huge number', withValue(pick(numberLines), pick(HUGE_NUMBERS)));
    const indent = anyLine();
    add('wrong indentation', withLine(indent, (line) => [pick([` ${line}`, line.replace(/^ /, ''), line.replace(/^ {2}/, '\t'), `   ${line.trimStart()}`])]));
    // The same key again with another value, right after the first.
    add('duplicate key', withLine(pick(valueLines), (line) => [line, line.replace(KEY_VALUE, (_, key: string) => `${key}${pick(WRONG_TYPES)}`)]));
    // An anchor on one value and a merge or alias of it in another: valid YAML, valid or invalid config.
    const [first, second] = [pick(valueLines), pick(valueLines)].sort((x, y) => x - y);
    if (first !== undefined && second !== undefined && first !== second) {
      const anchored = withLine(first, (line) => [line.replace(KEY_VALUE, (_, key: string, value: string) => `${key}&shared ${value}`)]);
      const use = pick(['*shared', '{ <<: *shared }', '[*shared, *shared]', '{ <<: [*shared], extra: 1 }']);
      add('anchor and merge', [...anchored.slice(0, second), (anchored[second] ?? '').replace(KEY_VALUE, (_, key: string) => `${key}${use}`), ...anchored.slice(second + 1)]);
      // The alias before its anchor: undefined where it is used.
      const early = withLine(first, (line) => [line.replace(KEY_VALUE, (_, key: string) => `${key}*later`)]);
      add('alias before its anchor', [...early.slice(0, second), (early[second] ?? '').replace(KEY_VALUE, (_, key: string, value: string) => `${key}&later ${value}`), ...early.slice(second + 1)]);
    }
  }
  add('empty file', '');
  add('comments only', '# nothing here\n');
  add('document marker only', '---\n');
  add('two documents', `${text}\n---\n${text}`);
  add('top-level list', `- ${lines.join('\n  ')}`);
  add('alias bomb', `${text}\n${ALIAS_BOMB}\n`);
  add('deep nesting', `${text}\nextra: ${DEEP}\n`);
  add('deep block nesting', `${text}\nextra:\n${'- '.repeat(3000)}x\n`);
  add('hostile keys', `${text}\n__proto__: { polluted: true }\nconstructor: 1\n`);
  add('carriage returns', text.replaceAll('\n', '\r\n'));
  add('byte order mark', `\ufeff${text}`);
  add('nul bytes', text.replaceAll(':', ':\u0000'));
  return out;
}
