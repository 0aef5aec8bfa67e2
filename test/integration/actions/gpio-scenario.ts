import { createInterface } from 'node:readline';
import { Actions, type ActionsOptions } from '../../../edge/actions/actions.js';
import type { ActionEvent } from '../../../edge/actions/warnings.js';

/**
 * The code under test, run inside the GPIO mount namespace by gpio-namespace.test.ts and siren-holders.test.ts. Reads
 * commands as JSON lines on stdin ({"raise": ActionEvent} | {"end": ActionEvent} | {"sync": n} | {"stop": true}) and
 * reports every playback, output and button event as a JSON line on stdout; "sync" is answered once every command
 * before it was handled.
 */
// `node --test dist/test/` runs every file under test/ once without arguments; there is nothing to do then.
if (process.argv[2] === undefined) process.exit(0);
const options = JSON.parse(process.argv[2]) as ActionsOptions;
const actions = new Actions(options);
const report = (kind: string, body: unknown): void => {
  process.stdout.write(`${JSON.stringify({ kind, body })}\n`);
};
actions.onPlayback((event) => {
  report('playback', event);
});
actions.onOutput((event) => {
  report('output', event);
});
actions.onPress((press) => {
  report('press', press);
});
await actions.start();
report('ready', {});
for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as { raise?: ActionEvent; end?: ActionEvent; sync?: number; stop?: true };
  if (command.raise !== undefined) actions.handle(command.raise);
  if (command.end !== undefined) actions.handle(command.end);
  if (command.sync !== undefined) report('synced', { n: command.sync });
  if (command.stop === true) break;
}
await actions.stop();
report('stopped', {});
