import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { HuxiaoError } from '../errors.js';

/** The checkout, or the installed app: dist/edge/cli/ is three levels below it. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The demo belongs to the dev kit (scripts/devkit, built to dist/scripts/devkit in a checkout), which an installed
 * gateway does not have; the runtime never imports it, it is loaded when the command runs.
 */
const DEVKIT_DEMO = new URL('../../scripts/devkit/demo/command.js', import.meta.url);

export interface DemoCommandOptions {
  readonly config: string;
  readonly out: string;
  readonly json: boolean;
}

/** What the dev kit's scripts/devkit/demo/command.ts exports (it is typed against this, so the two cannot drift). */
export interface DemoCommandModule {
  runDemoCommand(options: DemoCommandOptions): Promise<void>;
}

async function loadDemo(): Promise<DemoCommandModule> {
  try {
    return (await import(DEVKIT_DEMO.href)) as DemoCommandModule;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new HuxiaoError('DEVKIT_MISSING', `the demo is part of the dev kit, which this installation does not have (${detail}); run it from a checkout of huxiao-edge: scripts/setup.sh, then npm run demo`);
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Serve the shipped footage as an RTSP camera and run the whole gateway on it: rules, voice, store, MQTT to a built-in centre (dev kit: from a checkout)')
    .option('-c, --config <file>', 'demo config', join(ROOT, 'config', 'demo.yaml'))
    .option('-o, --out <dir>', 'where the SQLite store, snapshots, the centre\'s copies of them, rendered warnings and the log go', join(ROOT, '.cache', 'demo'))
    .option('--json', 'print one JSON object per event instead of text (for tests and tools)')
    .action(async (options: { config: string; out: string; json?: boolean }) => {
      const demo = await loadDemo();
      await demo.runDemoCommand({ config: options.config, out: options.out, json: options.json === true });
    });
}
