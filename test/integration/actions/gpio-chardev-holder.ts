import { Gpiod } from '../../../edge/actions/gpio-chardev.js';

/**
 * Run by gpio-chardev.test.ts and then killed with SIGKILL: switches one active-low output on through the gpiod
 * fallback and says "holding" on stdout. Arguments: the fake tools' bin dir, dev dir, chip label and offset.
 */
// `node --test dist/test/` runs every file under test/ once without arguments; there is nothing to do then.
const [binDir, devDir, chip, offset] = process.argv.slice(2);
if (binDir === undefined || devDir === undefined || chip === undefined || offset === undefined) process.exit(0);
const line = await new Gpiod({ binDir, devDir }).openOutput({ chip, line: Number(offset) }, true);
line.set(true);
process.stdout.write('holding\n');
setInterval(() => undefined, 60_000);
