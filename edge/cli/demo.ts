import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { runDemo, type DemoEvent } from '../demo/demo.js';
import { formatEvent, formatLogLine } from '../demo/report.js';
import { packageRoot } from '../ingest/footage.js';
import { fileSink, routeLogs } from '../log.js';
import { untilSignal } from './run.js';

/** In the demo's output dir: the gateway's whole log, so the terminal keeps the demo's own lines. */
const LOG_FILE = 'huxiao.log';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Serve the shipped footage as an RTSP camera and run the whole gateway on it: rules, voice, store, MQTT to a built-in centre')
    .option('-c, --config <file>', 'demo config', join(packageRoot(), 'config', 'demo.yaml'))
    .option('-o, --out <dir>', 'where the SQLite store, snapshots, the centre\'s copies of them, rendered warnings and the log go', join(packageRoot(), '.cache', 'demo'))
    .option('--json', 'print one JSON object per event instead of text (for tests and tools)')
    .action(async (options: { config: string; out: string; json?: boolean }) => {
      const print = (event: DemoEvent): void => {
        process.stdout.write(options.json === true ? `${JSON.stringify(event)}\n` : formatEvent(event));
      };
      mkdirSync(options.out, { recursive: true });
      const logFile = join(options.out, LOG_FILE);
      routeLogs([
        { level: 'trace', sink: fileSink(logFile) },
        { level: 'warn', sink: { write: (line: string) => process.stderr.write(formatLogLine(line)) } },
      ]);
      if (options.json !== true) process.stdout.write(`log      ${logFile} (warnings and errors are shown here too)\n`);
      const stop = untilSignal();
      try {
        const summary = await runDemo({ configPath: options.config, out: options.out, interrupted: stop.signal, onEvent: print });
        if (summary.endedBy === 'timeout') process.exitCode = 1;
      } finally {
        stop.dispose();
      }
    });
}
