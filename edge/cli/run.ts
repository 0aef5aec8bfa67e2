import type { Command } from 'commander';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config/load.js';
import { Controller } from '../controller.js';
import { moduleLogger } from '../log.js';

const log = moduleLogger('run');

/**
 * Resolves on the first SIGINT or SIGTERM (systemd stops with SIGTERM); a second one is left to the default handler.
 * A gateway with nothing to do yet (no camera enabled, no broker) has no live handle, so a timer keeps it running.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => undefined, 2 ** 30);
    const onSignal = (signal: NodeJS.Signals): void => {
      clearInterval(keepAlive);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run the gateway: cameras, models, rules, alerts, voice, uplink, until SIGINT or SIGTERM')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_PATH)
    .action(async (options: { config: string }) => {
      const config = loadConfig(options.config);
      const controller = new Controller({ config, configPath: options.config });
      await controller.start();
      const signal = await untilSignal();
      log.info({ signal }, 'stopping');
      const report = await controller.stop();
      if (report.failed.length > 0) process.exitCode = 1;
    });
}
