import { readFileSync } from 'node:fs';
import { HuxiaoError } from '../errors.js';
import { formatIssue, formatPath, issuesFromZod, type ConfigIssue, type PathProblem } from './issues.js';
import { configSchema, type Config } from './schema.js';
import { deferringSecrets, Secret } from './secret.js';
import { readYaml, type ConfigPath } from './yaml-document.js';

export const DEFAULT_CONFIG_PATH = '/etc/huxiao/config.yaml';

export class ConfigError extends HuxiaoError {
  readonly issues: readonly ConfigIssue[];

  constructor(code: 'CONFIG_NOT_FOUND' | 'CONFIG_SYNTAX' | 'CONFIG_INVALID', source: string, issues: readonly ConfigIssue[]) {
    super(code, `${source}: ${issues.length === 1 ? 'one problem' : `${issues.length} problems`}\n${issues.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export interface ParseOptions {
  /**
   * `resolve` (the default): a secret whose environment variable or file is missing is an error. `defer`: it is a
   * note instead, so a file can be validated on a machine that does not hold the gateway's secrets; the config is
   * then for reporting only, never for running.
   */
  readonly secrets?: 'resolve' | 'defer';
}

export interface LoadedConfig {
  readonly config: Config;
  /** The file (or name) the config came from, for messages. */
  readonly source: string;
  /** What did not stop the file from loading: the secrets left unresolved under `secrets: 'defer'`. */
  readonly notes: readonly ConfigIssue[];
  /** Line of a config path in the file (or of its nearest ancestor), for problems found after loading. */
  lineOf(path: ConfigPath): number | undefined;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Paths of the placeholders that stand for unresolved secrets, with why each is unresolved. */
function unresolvedSecrets(value: unknown, unresolved: ReadonlyMap<Secret, string>, path: PropertyKey[] = []): PathProblem[] {
  if (value instanceof Secret) {
    const problem = unresolved.get(value);
    return problem === undefined ? [] : [{ path, message: problem }];
  }
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => unresolvedSecrets(child, unresolved, [...path, Array.isArray(value) ? Number(key) : key]));
}

function located(problems: readonly PathProblem[], lineOf: (path: ConfigPath) => number | undefined): ConfigIssue[] {
  return problems.map((problem) => {
    const line = lineOf(problem.path);
    return { path: formatPath(problem.path), message: problem.message, ...(line === undefined ? {} : { line }) };
  });
}

/**
 * Parses and validates config text; `source` names it in errors. Every problem is collected, not just the first, and
 * no input text makes it throw anything but a ConfigError.
 */
export function readConfigText(text: string, source: string, options: ParseOptions = {}): LoadedConfig {
  const yaml = readYaml(text);
  if (!yaml.ok) throw new ConfigError(yaml.code, source, yaml.issues);
  const parse = () => configSchema.safeParse(yaml.value ?? {}, { reportInput: true });
  const { result, unresolved } = options.secrets === 'defer' ? deferringSecrets(parse) : { result: parse(), unresolved: new Map<Secret, string>() };
  if (!result.success) throw new ConfigError('CONFIG_INVALID', source, issuesFromZod(result.error, yaml.lineOf));
  const config = deepFreeze(result.data);
  return { config, source, notes: located(unresolvedSecrets(config, unresolved), yaml.lineOf), lineOf: yaml.lineOf };
}

export function readConfigFile(path: string, options: ParseOptions = {}): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('CONFIG_NOT_FOUND', path, [{ path: '(file)', message: `cannot read: ${error instanceof Error ? error.message : String(error)}` }]);
  }
  return readConfigText(text, path, options);
}

/** CONFIG_INVALID for problems found in a loaded config by a later check (labels against the models, say). */
export function invalidConfig(loaded: LoadedConfig, problems: readonly PathProblem[]): ConfigError {
  return new ConfigError('CONFIG_INVALID', loaded.source, located(problems, (path) => loaded.lineOf(path)));
}

/** The config in `text`, with every secret resolved. */
export function parseConfig(text: string, source: string): Config {
  return readConfigText(text, source).config;
}

/** The config file at `path`, with every secret resolved. */
export function loadConfig(path: string): Config {
  return readConfigFile(path).config;
}
