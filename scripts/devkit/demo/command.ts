import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoCommandModule } from '../../../edge/cli/demo.js';
import { untilSignal } from '../../../edge/cli/run.js';
import { fileSink, routeLogs } from '../../../edge/log.js';
import { runDemo, type DemoEvent } from './demo.js';
import { formatEvent, formatLogLine } from './report.js';

/** In the demo's output dir: the gateway's whole log, so the terminal keeps the demo's own lines. */
const LOG_FILE = 'huxiao.log';

/** The body of `huxiao demo`, which edge/cli/demo.ts loads from a checkout: run the demo, print each event. */
export const runDemoCommand: DemoCommandModule['runDemoCommand'] = async (options) => {
  const print = (event: DemoEvent): void => {
    process.stdout.write(options.json ? `${JSON.stringify(event)}\n` : formatEvent(event));
  };
  mkdirSync(options.out, { recursive: true });
  const logFile = join(options.out, LOG_FILE);
  routeLogs([
    { level: 'trace', sink: fileSink(logFile) },
    { level: 'warn', sink: { write: (line: string) => process.stderr.write(formatLogLine(line)) } },
  ]);
  if (!options.json) process.stdout.write(`log      ${logFile} (warnings and errors are shown here too)\n`);
  const stop = untilSignal();
  try {
    const summary = await runDemo({ configPath: options.config, out: options.out, interrupted: stop.signal, onEvent: print });
    if (summary.endedBy === 'timeout') process.exitCode = 1;
  } finally {
    stop.dispose();
  }
};
