import type { DemoCommandModule } from '../../../edge/cli/demo.js';
import { untilSignal } from '../../../edge/cli/run.js';
import { runDemo, type DemoEvent } from './demo.js';
import { formatEvent } from './report.js';

/** The body of `huxiao demo`, which edge/cli/demo.ts loads from a checkout: run the demo, print each event. */
export const runDemoCommand: DemoCommandModule['runDemoCommand'] = async (options) => {
  const print = (event: DemoEvent): void => {
    process.stdout.write(options.json ? `${JSON.stringify(event)}\n` : formatEvent(event));
  };
  const stop = untilSignal();
  try {
    const summary = await runDemo({ configPath: options.config, out: options.out, interrupted: stop.signal, onEvent: print });
    if (summary.endedBy === 'timeout') process.exitCode = 1;
  } finally {
    stop.dispose();
  }
};
