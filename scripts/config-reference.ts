import { configJsonSchema } from '../edge/config/json-schema.js';

/** A node of the config's JSON Schema, as zod writes it (draft 2020-12). */
type Node = Readonly<Record<string, unknown>>;

interface Row {
  readonly key: string;
  readonly type: string;
  readonly default: string;
  readonly allowed: string;
  readonly description: string;
}

/** A list whose items are one of several object shapes told apart by their `type` (rules, actions). */
interface Variants {
  readonly key: string;
  readonly byType: readonly { readonly type: string; readonly node: Node }[];
}

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);
const nodes = (value: unknown): Node[] => (Array.isArray(value) ? value.filter(isNode) : []);
const code = (value: unknown): string => `\`${JSON.stringify(value)}\``;
const properties = (node: Node): [string, Node][] => (isNode(node.properties) ? Object.entries(node.properties).filter((entry): entry is [string, Node] => isNode(entry[1])) : []);
const requiredKeys = (node: Node): string[] => (Array.isArray(node.required) ? node.required.map(String) : []);
const alternatives = (node: Node): Node[] => [...nodes(node.anyOf), ...nodes(node.oneOf)];
/** A map keyed by names the installer chooses (identity.lists, vision.detector.minScoreByLabel). */
const mapValue = (node: Node): Node | undefined => (node.type === 'object' && isNode(node.additionalProperties) ? node.additionalProperties : undefined);
const tuple = (node: Node): Node[] => nodes(node.prefixItems);

function typeName(node: Node): string {
  const alts = alternatives(node);
  if (alts.length > 0) return [...new Set(alts.map(formName))].join(' or ');
  if (node.type === 'array') {
    if (tuple(node).length > 0) return `[${tuple(node).map(typeName).join(', ')}]`;
    const items = isNode(node.items) ? node.items : {};
    return alternatives(items).length > 0 || properties(items).length > 0 ? 'list of objects' : `list of ${typeName(items)}`;
  }
  const value = mapValue(node);
  if (value !== undefined) return `map of name to ${properties(value).length > 0 ? 'object' : typeName(value)}`;
  return typeof node.type === 'string' ? node.type : 'any';
}

/** One form of a value that takes several (a secret, a GPIO line): `{ env: string }`. */
function formName(node: Node): string {
  const shape = properties(node).map(([key, child]) => `${key}: ${typeName(child)}`);
  return shape.length > 0 ? `{ ${shape.join(', ')} }` : typeName(node);
}

function bounds(node: Node): string[] {
  const found: string[] = [];
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = node;
  const number = (value: unknown): value is number => typeof value === 'number';
  const lower = number(minimum) ? `≥ ${String(minimum)}` : number(exclusiveMinimum) ? `> ${String(exclusiveMinimum)}` : undefined;
  const upper = number(maximum) ? `≤ ${String(maximum)}` : number(exclusiveMaximum) ? `< ${String(exclusiveMaximum)}` : undefined;
  if (number(minimum) && number(maximum)) found.push(`${String(minimum)} to ${String(maximum)}`);
  else if (lower !== undefined || upper !== undefined) found.push([lower, upper].filter((text) => text !== undefined).join(', '));
  if (number(node.multipleOf)) found.push(`multiple of ${String(node.multipleOf)}`);
  const span = (min: unknown, max: unknown, unit: string): void => {
    if (number(min) && number(max)) found.push(min === max ? `${String(min)} ${unit}` : `${String(min)}-${String(max)} ${unit}`);
    else if (min === 1) found.push('not empty');
    else if (number(min)) found.push(`at least ${String(min)} ${unit}`);
    else if (number(max)) found.push(`at most ${String(max)} ${unit}`);
  };
  if (tuple(node).length === 0) span(node.minItems, node.maxItems, 'items');
  span(node.minLength, node.maxLength, 'characters');
  if (typeof node.pattern === 'string') found.push(`matches \`${node.pattern}\``);
  return found;
}

function allowed(node: Node): string {
  if (Array.isArray(node.enum)) return node.enum.map(code).join(', ');
  if ('const' in node) return code(node.const);
  const alts = alternatives(node);
  if (alts.length > 0 && alts.every((alt) => 'const' in alt)) return alts.map((alt) => code(alt.const)).join(', ');
  const own = bounds(node);
  if (node.type === 'array') {
    if (tuple(node).length > 0) return [...own, ...bounds(tuple(node)[0] ?? {}).map((text) => `each number ${text}`)].join('; ');
    const items = isNode(node.items) ? node.items : {};
    const of = properties(items).length > 0 || alternatives(items).length > 0 ? '' : allowed(items);
    return [...own, ...(of === '' ? [] : [of.startsWith('each ') ? of : `each ${of}`])].join('; ');
  }
  const value = mapValue(node);
  if (value !== undefined && properties(value).length === 0) return [...own, ...bounds(value).map((text) => `each ${text}`)].join('; ');
  return own.join('; ');
}

function defaultText(node: Node, required: boolean): string {
  if (!('default' in node)) return required ? 'required' : '—';
  const value = node.default;
  if (isNode(value)) return Object.keys(value).length === 0 ? '`{}`' : 'see its keys';
  const text = code(value);
  if (text.length <= 60 || (Array.isArray(value) && value.length <= 12)) return text;
  return Array.isArray(value) ? `${String(value.length)} values (config/schema.json lists them)` : 'see config/schema.json';
}

const cell = (text: string): string => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');

function describe(node: Node, fallback: string): string {
  if (typeof node.description === 'string') return node.description;
  const items = isNode(node.items) ? node.items : undefined;
  if (items !== undefined && typeof items.description === 'string') return items.description;
  return fallback;
}

/** Rows for `node` at `key` and everything under it, in the schema's order; list variants are collected apart. */
function collect(node: Node, key: string, required: boolean, rows: Row[], variants: Variants[], fallback = ''): void {
  rows.push({ key, type: typeName(node), default: defaultText(node, required), allowed: allowed(node), description: describe(node, fallback) });
  const items = node.type === 'array' && isNode(node.items) ? node.items : undefined;
  if (items !== undefined && tuple(node).length === 0) {
    const byType = alternatives(items).map((alt) => ({ alt, type: properties(alt).find(([name]) => name === 'type')?.[1].const }));
    if (byType.length > 0 && byType.every((entry) => typeof entry.type === 'string')) {
      variants.push({ key: `${key}[]`, byType: byType.map(({ alt, type }) => ({ type: String(type), node: alt })) });
      return;
    }
    children(items, `${key}[]`, rows, variants);
    return;
  }
  const value = mapValue(node);
  if (value !== undefined && properties(value).length > 0) {
    children(value, `${key}.<name>`, rows, variants);
    return;
  }
  for (const alt of alternatives(node)) children(alt, key, rows, variants);
  children(node, key, rows, variants);
}

function children(node: Node, key: string, rows: Row[], variants: Variants[]): void {
  const required = requiredKeys(node);
  for (const [name, child] of properties(node)) collect(child, `${key}.${name}`, required.includes(name), rows, variants);
}

function table(rows: readonly Row[]): string[] {
  return [
    '| key | type | default | allowed | description |',
    '|---|---|---|---|---|',
    ...rows.map((row) => `| \`${row.key}\` | ${cell(row.type)} | ${cell(row.default)} | ${cell(row.allowed)} | ${cell(row.description)} |`),
  ];
}

/** The keys every variant declares the same way come first, once; then each type's own keys. */
function variantSections(list: Variants): string[] {
  const [first, ...rest] = list.byType;
  if (first === undefined) return [];
  const same = (name: string): boolean => {
    const text = JSON.stringify(isNode(first.node.properties) ? first.node.properties[name] : undefined);
    return rest.every(({ node }) => JSON.stringify(isNode(node.properties) ? node.properties[name] : undefined) === text);
  };
  const shared = properties(first.node).filter(([name]) => name !== 'type' && same(name)).map(([name]) => name);
  const rowsOf = (node: Node, keep: (name: string) => boolean): Row[] => {
    const rows: Row[] = [];
    const nested: Variants[] = [];
    const required = requiredKeys(node);
    for (const [name, child] of properties(node)) if (keep(name)) collect(child, `${list.key}.${name}`, required.includes(name), rows, nested);
    return rows;
  };
  const lines = [`### \`${list.key}\`: keys of every type`, '', `\`type\` is one of ${list.byType.map(({ type }) => code(type)).join(', ')}.`, '', ...table(rowsOf(first.node, (name) => shared.includes(name))), ''];
  for (const { type, node } of list.byType) {
    const own = rowsOf(node, (name) => name !== 'type' && !shared.includes(name));
    lines.push(`### \`${list.key}\` with \`type: ${type}\``, '', ...(own.length > 0 ? table(own) : ['No keys of its own.']), '');
  }
  return lines;
}

/** docs/config.md: every key of the config file with its type, default, allowed values and description. */
export function configReferenceMarkdown(): string {
  const schema = configJsonSchema();
  const required = requiredKeys(schema);
  const sections = properties(schema);
  const lines = [
    '# Config reference',
    '',
    '<!-- Generated from the zod schema in edge/config/ by `npm run docs:config` (scripts/export-config-docs.ts); edit the',
    '     schema\'s .describe() texts, not this file. test/unit/config/config-docs.test.ts fails when it is out of date. -->',
    '',
    'Every key of the gateway\'s config file (`/etc/huxiao/config.yaml`), section by section. `huxiao check` validates a',
    'file against the same schema and prints each problem as `path: what is wrong (line N)`; unknown keys are refused.',
    '`config/schema.json` is the same schema as JSON Schema, for editors. In a key, `[]` stands for each item of a list',
    'and `<name>` for a name you choose. Default `required`: the key must be given; `—`: it may be left out (the feature',
    'is then off or the value unset); `see its keys`: each key below has its own default. Secrets (`password`) take a',
    'string, `{ env: NAME }` or `{ file: PATH }` and are never printed.',
    '',
    sections.map(([name]) => `[\`${name}\`](#${name.toLowerCase()})`).join(' · '),
    '',
  ];
  for (const [name, node] of sections) {
    const rows: Row[] = [];
    const variants: Variants[] = [];
    collect(node, name, required.includes(name), rows, variants);
    lines.push(`## ${name}`, '', ...table(rows), '');
    for (const list of variants) lines.push(...variantSections(list));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
