import { Composer, CST, isAlias, isMap, isNode, isScalar, isSeq, LineCounter, Parser, type Document, type Node } from 'yaml';
import { formatPath, type ConfigIssue } from './issues.js';

/**
 * A config file is a few hundred lines nested about eight levels deep (cameras, zones, polygon, point). These bounds
 * are far above that and far below what exhausts the stack or the memory of the box: the YAML composer recurses once
 * per level, and V8 has been seen to abort the whole process when a regular expression is compiled near the stack
 * limit, so over-deep input is refused before it is composed.
 */
const MAX_DEPTH = 64;
/** Values produced by expanding aliases; an "alias bomb" (each level aliasing the one before) blows past it at once. */
const MAX_ALIAS_EXPANSION = 100_000;
/** Syntax errors after the first few are mostly consequences of the first; the rest are counted, not listed. */
const MAX_SYNTAX_ISSUES = 10;

export type ConfigPath = readonly PropertyKey[];

/** The file's YAML read into plain data, or the problems that keep it from being read. */
export type YamlContent =
  | { readonly ok: true; readonly value: unknown; readonly lineOf: (path: ConfigPath) => number | undefined }
  | { readonly ok: false; readonly code: 'CONFIG_SYNTAX' | 'CONFIG_INVALID'; readonly issues: readonly ConfigIssue[] };

/**
 * Parses config text as one YAML document with unique keys and `<<` merge keys. Syntax errors give CONFIG_SYNTAX;
 * a well-formed document whose data cannot be built (an alias without its anchor, an alias inside the node it names,
 * a merge of something that is not a mapping, a key that is not plain text, runaway alias expansion) gives
 * CONFIG_INVALID with the config path and line of each problem. Never throws for any input text.
 */
export function readYaml(text: string): YamlContent {
  const counter = new LineCounter();
  const line = (offset: number): number => counter.linePos(offset).line;
  const tokens = Array.from(new Parser(counter.addNewLine).parse(text));
  const deep = tooDeep(tokens);
  if (deep !== undefined) return { ok: false, code: 'CONFIG_SYNTAX', issues: [{ path: '(yaml)', message: `nested deeper than ${MAX_DEPTH} levels`, line: line(deep) }] };

  const documents = Array.from(new Composer({ uniqueKeys: true, merge: true, prettyErrors: false, logLevel: 'error' }).compose(tokens, true, text.length));
  const [doc, second] = documents;
  if (doc === undefined) return { ok: true, value: undefined, lineOf: () => undefined };
  const syntax: ConfigIssue[] = [...doc.errors, ...doc.warnings].map((error) => ({ path: '(yaml)', message: shortened(error.message), line: line(error.pos[0]) }));
  if (second !== undefined) syntax.push({ path: '(yaml)', message: 'a second document (after "---"); a config file holds one', line: line(second.range[0]) });
  if (syntax.length > 0) return { ok: false, code: 'CONFIG_SYNTAX', issues: capped(syntax) };

  const content = new ContentCheck(line).run(doc);
  if (content.length > 0) return { ok: false, code: 'CONFIG_INVALID', issues: content };
  try {
    // Expansion is bounded by ContentCheck, which knows where each alias is; the library's own count has no position.
    return { ok: true, value: doc.toJS({ maxAliasCount: -1 }), lineOf: (path) => lineIn(doc, path, line) };
  } catch (error) {
    // Reached only by a document shape ContentCheck does not know yet; still an answer about the file, not a crash.
    return { ok: false, code: 'CONFIG_INVALID', issues: [{ path: '(yaml)', message: `the document cannot be read: ${error instanceof Error ? error.message : String(error)}` }] };
  }
}

function capped(issues: ConfigIssue[]): ConfigIssue[] {
  const rest = issues.slice(MAX_SYNTAX_ISSUES);
  const first = rest[0];
  if (first === undefined) return issues;
  return [...issues.slice(0, MAX_SYNTAX_ISSUES), { ...first, message: `and ${rest.length} more syntax errors from here on, most of them caused by those above` }];
}

/** The library quotes the whole offending token, which can be many lines; the start of it is enough to find it. */
function shortened(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.length > 120 ? `${first.slice(0, 117)}...` : first;
}

/** Offset of the first token nested deeper than MAX_DEPTH, walking the syntax tree without recursion. */
function tooDeep(tokens: readonly CST.Token[]): number | undefined {
  const pending: [CST.Token, number][] = tokens.map((token) => [token, 0]);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [token, depth] = next;
    if (depth > MAX_DEPTH) return token.offset;
    if (token.type === 'document' && token.value !== undefined) pending.push([token.value, depth]);
    if (!CST.isCollection(token)) continue;
    for (const item of token.items) {
      if (item.key) pending.push([item.key, depth + 1]);
      if (item.value) pending.push([item.value, depth + 1]);
    }
  }
  return undefined;
}

function lineIn(doc: Document, path: ConfigPath, line: (offset: number) => number): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = doc.getIn(path.slice(0, depth).map((key) => (typeof key === 'symbol' ? String(key) : key)), true);
    if (isNode(node) && node.range) return line(node.range[0]);
  }
  return undefined;
}

const isMergeKey = (key: unknown): boolean => isScalar(key) && typeof key.value === 'symbol' && key.value.description === '<<';

interface Extent {
  /** Values in the node once its aliases are expanded. */
  readonly size: number;
  /** Levels below the node once its aliases are expanded. */
  readonly height: number;
}

/**
 * Walks the composed document in order, as the library resolves it: an alias names the last anchor of that name
 * before it. Anchors are registered before their content is walked, so an alias inside its own anchor is seen.
 */
class ContentCheck {
  readonly #line: (offset: number) => number;
  readonly #issues: ConfigIssue[] = [];
  readonly #anchors = new Map<string, Node>();
  readonly #extents = new Map<Node, Extent>();
  readonly #open = new Set<Node>();
  #expanded = 0;

  constructor(line: (offset: number) => number) {
    this.#line = line;
  }

  run(doc: Document): ConfigIssue[] {
    this.#walk(doc.contents, [], 0);
    return this.#issues;
  }

  #problem(path: ConfigPath, node: Node | null | undefined, message: string): void {
    const at = node?.range?.[0];
    this.#issues.push({ path: formatPath(path), message, ...(at === undefined ? {} : { line: this.#line(at) }) });
  }

  #walk(node: Node | null | undefined, path: ConfigPath, depth: number): Extent {
    if (node === null || node === undefined) return { size: 1, height: 0 };
    if (isAlias(node)) return this.#alias(node.source, node, path, depth);
    if (node.anchor !== undefined) this.#anchors.set(node.anchor, node);
    this.#open.add(node);
    let extent: Extent = { size: 1, height: 0 };
    const add = (child: Extent): void => {
      extent = { size: extent.size + child.size, height: Math.max(extent.height, child.height + 1) };
    };
    if (isSeq(node)) node.items.forEach((item, index) => { add(this.#walk(item as Node | null, [...path, index], depth + 1)); });
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        const value = pair.value as Node | null;
        if (isMergeKey(key)) {
          this.#merge(value, [...path, '<<'], value ?? node);
          add(this.#walk(value, [...path, '<<'], depth + 1));
          continue;
        }
        const name = this.#key(key, path, value ?? node);
        add(this.#walk(value, name === undefined ? path : [...path, name], depth + 1));
      }
    }
    this.#open.delete(node);
    this.#extents.set(node, extent);
    return extent;
  }

  #alias(source: string, node: Node, path: ConfigPath, depth: number): Extent {
    const target = this.#anchors.get(source);
    if (target === undefined) {
      this.#problem(path, node, `alias *${source} has no anchor &${source} before it`);
      return { size: 1, height: 0 };
    }
    if (this.#open.has(target)) {
      this.#problem(path, node, `alias *${source} is inside &${source}, so the value would contain itself`);
      return { size: 1, height: 0 };
    }
    const extent = this.#extents.get(target) ?? { size: 1, height: 0 };
    const before = this.#expanded;
    this.#expanded += extent.size;
    if (before <= MAX_ALIAS_EXPANSION && this.#expanded > MAX_ALIAS_EXPANSION) {
      this.#problem(path, node, `aliases expand to more than ${MAX_ALIAS_EXPANSION} values (an alias bomb?)`);
    } else if (depth + extent.height > MAX_DEPTH) {
      this.#problem(path, node, `alias *${source} nests the value deeper than ${MAX_DEPTH} levels`);
    }
    return extent;
  }

  /** The key as the data will have it; undefined (after a problem) for keys that are not plain text. */
  #key(key: Node | null, path: ConfigPath, near: Node): string | undefined {
    if (key === null) {
      this.#problem(path, near, 'a key is missing before ":"');
      return undefined;
    }
    if (!isScalar(key)) {
      this.#problem(path, key, `a key must be plain text, not ${isAlias(key) ? 'an alias' : 'a list or mapping'}`);
      return undefined;
    }
    if (key.anchor !== undefined) this.#anchors.set(key.anchor, key);
    const { value } = key;
    if (value === null) {
      this.#problem(path, key, 'a key is empty');
      return undefined;
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      this.#problem(path, key, 'a key must be plain text');
      return undefined;
    }
    return String(value);
  }

  /** `<<` takes a mapping, an alias of one, or a list of those (or an alias of such a list). */
  #merge(value: Node | null, path: ConfigPath, near: Node): void {
    const resolve = (node: Node | null): Node | null | undefined => (isAlias(node) ? this.#anchors.get(node.source) : node);
    const source = resolve(value);
    const sources = isSeq(source) ? source.items.map((item) => resolve(item as Node | null)) : [source];
    // An alias without its anchor is reported where the walk meets it.
    if (sources.every((item) => item === undefined || isMap(item))) return;
    this.#problem(path, near, 'a merge (<<) takes a mapping, an alias of one, or a list of them');
  }
}
