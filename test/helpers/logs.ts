import assert from 'node:assert/strict';
import { routeLogs, stderrSink } from '../../edge/log.js';

/** An error as pino's serializer writes it. */
export interface LoggedError {
  readonly type: string;
  readonly message: string;
  readonly stack: string;
  readonly code?: string | number;
  readonly cause?: LoggedError;
  /** Other fields of the error, such as a system error's syscall and errno. */
  readonly [field: string]: unknown;
}

export interface LogRecord {
  readonly level: number;
  readonly module?: string;
  readonly msg: string;
  readonly err?: LoggedError | string;
  readonly [field: string]: unknown;
}

const LEVEL_VARIABLES = ['HUXIAO_LOG_LEVEL', 'LOG_LEVEL'];

/**
 * This process's environment for a child, with only the log level given here (none: the default), not one a developer
 * exported; `outsideTestRunner` also drops the mark node's test runner puts on its processes.
 */
export function logEnv(level: Record<string, string> = {}, options: { outsideTestRunner?: boolean } = {}): NodeJS.ProcessEnv {
  const dropped = [...LEVEL_VARIABLES, ...(options.outsideTestRunner === true ? ['NODE_TEST_CONTEXT'] : [])];
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !dropped.includes(name))), ...level };
}

/** The numeric level of each line of `text` that is a log record, in order; other lines are left out. */
export function logLevels(text: string): number[] {
  return text.split('\n').flatMap((line) => {
    if (!line.startsWith('{"level":')) return [];
    return [(JSON.parse(line) as LogRecord).level];
  });
}

/**
 * Keeps every log line of this process in memory until `restore()` sends the log back to stderr. Only what the root
 * level lets through is logged at all: warnings and errors under the test runner.
 */
export function captureLogs(): { records(): LogRecord[]; restore(): void } {
  const lines: string[] = [];
  routeLogs([{ level: 'trace', sink: { write: (line: string) => lines.push(line) } }]);
  return {
    records: () => lines.map((line) => JSON.parse(line) as LogRecord),
    restore: () => {
      routeLogs([{ level: 'trace', sink: stderrSink }]);
    },
  };
}

/** The err of the record with this message, as an object: fails the test when it is missing or only a string. */
export function loggedError(records: readonly LogRecord[], msg: string): LoggedError {
  const record = records.find((candidate) => candidate.msg === msg);
  if (record === undefined) assert.fail(`no log record "${msg}" among: ${records.map((r) => r.msg).join('; ')}`);
  if (typeof record.err !== 'object') assert.fail(`"${msg}" was logged with err ${JSON.stringify(record.err)}, not the error object`);
  return record.err;
}
