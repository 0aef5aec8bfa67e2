import { openSync } from 'node:fs';
import { pino, type Level, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * Logs go to stderr: stdout belongs to commands that print data (replay writes JSON lines there).
 * Secrets never reach a log line: camera URLs are redacted where they are built (see edge/ingest/camera-url.ts),
 * and these paths are censored as a second line of defence.
 */
const REDACT = ['password', '*.password', '*.*.password', 'passphrase', '*.passphrase', 'privateKey', '*.privateKey'];

/**
 * HUXIAO_LOG_LEVEL (or LOG_LEVEL) when set; otherwise info, except under node's test runner: it marks the processes it
 * runs with NODE_TEST_CONTEXT, which the processes a test spawns inherit, and there the default is warn so the suite
 * prints its results, not the runtime's info lines. `HUXIAO_LOG_LEVEL=info npm test` brings them back.
 */
function levelFromEnv(): LevelWithSilent {
  const level = process.env.HUXIAO_LOG_LEVEL ?? process.env.LOG_LEVEL;
  const known: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (level !== undefined && known.includes(level)) return level as LevelWithSilent;
  return process.env.NODE_TEST_CONTEXT === undefined ? 'info' : 'warn';
}

/** Where log lines can go: pino's destinations (stderr, a file) or anything else that takes a line. */
export interface LogSink {
  write(line: string): unknown;
  flush?(done: (error?: Error) => unknown): void;
}

export interface LogRoute {
  /** The sink gets the lines at this level and above (the root level still decides what is logged at all). */
  readonly level: Level;
  readonly sink: LogSink;
}

export const stderrSink: LogSink = pino.destination({ fd: 2, sync: false });

/** Sends each line to the sinks whose level it reaches; pino tells it the line's level before each write. */
class LogRouter {
  readonly [pino.symbols.needsMetadataGsym] = true;
  lastLevel = 0;
  #routes: readonly { readonly min: number; readonly sink: LogSink }[] = [{ min: 0, sink: stderrSink }];

  route(routes: readonly LogRoute[]): void {
    this.#routes = routes.map((route) => ({ min: pino.levels.values[route.level] ?? 0, sink: route.sink }));
  }

  write(line: string): void {
    for (const { min, sink } of this.#routes) if (this.lastLevel >= min) sink.write(line);
  }

  flush(done: () => void): void {
    const sinks = this.#routes.map((route) => route.sink);
    let pending = sinks.length + 1;
    const settle = (): void => {
      pending -= 1;
      if (pending === 0) done();
    };
    for (const sink of sinks) {
      if (sink.flush === undefined) settle();
      else sink.flush(settle);
    }
    settle();
  }
}

const router = new LogRouter();

export const rootLogger: Logger = pino(
  {
    name: 'huxiao',
    level: levelFromEnv(),
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { pid: process.pid },
    // The cause stays an object with its own stack and code, instead of being folded into the message.
    serializers: { err: pino.stdSerializers.errWithCause },
  },
  router,
);

export function moduleLogger(module: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger.child({ module, ...bindings });
}

/** Replaces where every logger writes (stderr until then); each line goes to every route whose level it reaches. */
export function routeLogs(routes: readonly LogRoute[]): void {
  router.route(routes);
}

/** A log file, created or emptied now: opened at once so a path that cannot be written fails here, not later. */
export function fileSink(path: string): LogSink {
  return pino.destination({ fd: openSync(path, 'w'), sync: false });
}

/** Part of every exit path: an asynchronous destination loses its tail unless flushed. */
export function flushLogs(): Promise<void> {
  return new Promise((resolve) => {
    rootLogger.flush(() => {
      resolve();
    });
  });
}
