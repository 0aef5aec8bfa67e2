import { readFileSync } from 'node:fs';
import { HuxiaoError } from '../errors.js';
import { formatIssue, issuesFromZod, type ConfigIssue } from './issues.js';
import { configSchema, type Config } from './schema.js';
import { readYaml } from './yaml-document.js';

export const DEFAULT_CONFIG_PATH = '/etc/huxiao/config.yaml';

export class ConfigError extends HuxiaoError {
  readonly issues: readonly ConfigIssue[];

  constructor(code: 'CONFIG_NOT_FOUND' | 'CONFIG_SYNTAX' | 'CONFIG_INVALID', source: string, issues: readonly ConfigIssue[]) {
    super(code, `${source}: ${issues.length === 1 ? 'one problem' : `${issues.length} problems`}\n${issues.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Parses and validates config text; `source` names it in errors. Every problem is collected, not just the first, and
 * no input text makes it throw anything but a ConfigError.
 */
export function parseConfig(text: string, source: string): Config {
  const yaml = readYaml(text);
  if (!yaml.ok) throw new ConfigError(yaml.code, source, yaml.issues);
  const result = configSchema.safeParse(yaml.value ?? {}, { reportInput: true });
  if (!result.success) throw new ConfigError('CONFIG_INVALID', source, issuesFromZod(result.error, yaml.lineOf));
  return deepFreeze(result.data);
}

export function loadConfig(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('CONFIG_NOT_FOUND', path, [{ path: '(file)', message: `cannot read: ${error instanceof Error ? error.message : String(error)}` }]);
  }
  return parseConfig(text, path);
}
