import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * Logs go to stderr: stdout belongs to commands that print data (replay writes JSON lines there).
 * Secrets never reach a log line: camera URLs are redacted where they are built (see edge/ingest/camera-url.ts),
 * and these paths are censored as a second line of defence.
 */
const REDACT = ['password', '*.password', '*.*.password', 'passphrase', '*.passphrase', 'privateKey', '*.privateKey'];

function levelFromEnv(): LevelWithSilent {
  const level = process.env.HUXIAO_LOG_LEVEL ?? process.env.LOG_LEVEL;
  const known: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  return level !== undefined && known.includes(level) ? (level as LevelWithSilent) : 'info';
}

export const rootLogger: Logger = pino(
  {
    name: 'huxiao',
    level: levelFromEnv(),
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { pid: process.pid },
  },
  pino.destination({ fd: 2, sync: false }),
);

export function moduleLogger(module: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger.child({ module, ...bindings });
}

/** Part of every exit path: an asynchronous destination loses its tail unless flushed. */
export function flushLogs(): Promise<void> {
  return new Promise((resolve) => {
    rootLogger.flush(() => {
      resolve();
    });
  });
}
