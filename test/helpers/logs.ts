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
