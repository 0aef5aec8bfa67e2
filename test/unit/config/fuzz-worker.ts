import { parentPort } from 'node:worker_threads';
import { parseDocument } from 'yaml';
import { failureReport } from '../../../edge/cli/failure.js';
import { formatIssue } from '../../../edge/config/issues.js';
import { ConfigError, parseConfig } from '../../../edge/config/load.js';
import type { Mutant } from './mutations.js';

/** What loading one mutant gave, as the CLI would report it. */
export interface FuzzOutcome {
  readonly valid: boolean;
  readonly exitCode?: number;
  readonly output?: string;
  /** Issues printed without a line although the file has content a line could point into. */
  readonly unplaced?: readonly string[];
}

/**
 * Loads mutants one at a time in a worker thread, so the test can give each a deadline and stop a loader that hangs
 * (a synchronous loop in the test's own thread would stop the deadline too).
 */
const port = parentPort;
if (port === null) throw new Error('fuzz-worker runs as a worker thread');
port.on('message', (mutant: Mutant) => {
  let outcome: FuzzOutcome;
  try {
    parseConfig(mutant.text, mutant.name);
    outcome = { valid: true };
  } catch (error) {
    const { exitCode, text } = failureReport(error);
    const empty = parseDocument(mutant.text).contents === null;
    const unplaced = error instanceof ConfigError && !empty ? error.issues.filter((issue) => issue.line === undefined).map(formatIssue) : [];
    outcome = { valid: false, exitCode, output: text, unplaced };
  }
  port.postMessage(outcome);
});
