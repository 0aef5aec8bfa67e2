import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine } from './machine.js';

/**
 * Runs every sub-benchmark (scripts/bench/<name>.ts, also runnable alone as `npm run bench:<name>`) one after another,
 * so they never compete for the CPU they measure. Not bench:capacity: it runs the gateway for ~95 s per camera count
 * (about 13 minutes with its defaults), so it is run on its own.
 */
const here = dirname(fileURLToPath(import.meta.url));
const NOT_BENCHMARKS = new Set(['all.js', 'machine.js', 'capacity.js']);
const benches = readdirSync(here)
  .filter((file) => file.endsWith('.js') && !NOT_BENCHMARKS.has(file))
  .sort();

process.stdout.write(`${machineLine()}\n`);
let failed = 0;
for (const file of benches) {
  process.stdout.write(`\n== ${file.replace(/\.js$/, '')} ==\n`);
  const result = spawnSync(process.execPath, [join(here, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exitCode = failed === 0 ? 0 : 1;
