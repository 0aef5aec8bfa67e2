import type { Command } from 'commander';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config/load.js';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('Validate a config file; prints every problem as "path: what is wrong (line N)" and exits non-zero if there is one')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_PATH)
    .action((options: { config: string }) => {
      const config = loadConfig(options.config);
      const enabled = config.cameras.filter((camera) => camera.enabled).length;
      process.stdout.write(`${options.config}: ok (gateway ${config.gateway.id}, ${config.cameras.length} cameras, ${enabled} enabled)\n`);
    });
}
